"""`dataclass`, `field`, `fields`, `replace` without importing `dataclasses` at run time (issue 15).

Importing `dataclasses` costs about 7 ms (it pulls `inspect`, `ast`, `dis`, `tokenize`) and each
`@dataclass` about 0.5 ms more (it compiles six functions and builds a signature for `__doc__`): 20–25 ms
of a one-document render's start-up. This module gives the subset the package uses, with the same
behaviour, for a fraction of that: one small `__init__` per class (made when the class gets its first
instance), `__eq__` and `__hash__` over an `attrgetter`, a shared `__repr__`.

`__init__` is written as source text (`_source`: the field names and kinds; defaults written `...`, the real
ones given to the function). Its code comes from `_record_inits.INITS`, keyed by that exact text: a module
generated from the package's own classes (`REGISTRY`), so the import system keeps it compiled in a .pyc. A
text not in the table (a class added or changed since, a test's class) is compiled by `exec` (~0.07 ms a
class, in every process): never a wrong `__init__`, only a slower one. After adding or changing a record
class, regenerate the table with `python3 scripts/gen_record_inits.py` (a test runs it with `--check`).

Type checkers see the real `dataclasses` (the `TYPE_CHECKING` branch), so mypy checks every class exactly
as a dataclass; tests/test_records.py checks that both behave the same (init, defaults, factories,
`compare=False`, frozen, hash, repr, `replace`, `fields` with metadata). Supported: `frozen`, `eq`,
`order=False`; `field(default, default_factory, init, repr, compare, metadata)`; `__post_init__`. Not
supported (and not used): inheritance between these classes, `ClassVar`/`InitVar`, `kw_only`, `slots`.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not `typing.TYPE_CHECKING`: importing typing costs ~3 ms; mypy knows the name

if TYPE_CHECKING:
    from dataclasses import FrozenInstanceError, dataclass, field, fields, is_dataclass, replace
else:
    from operator import attrgetter

    _MISSING = object()
    _function = type(lambda: None)  # types.FunctionType
    # (class, `__init__` source) of every record class of the package, in creation order: what
    # scripts/gen_record_inits.py precompiles (classes of other modules, tests' say, are not kept)
    REGISTRY = []

    class FrozenInstanceError(AttributeError):
        """Assigning to a field of a frozen class (the same name as dataclasses')."""

    class Field:
        __slots__ = ("name", "default", "default_factory", "init", "repr", "compare", "metadata")

        def __init__(self, default, default_factory, init, repr, compare, metadata):  # noqa: A002
            self.name = ""
            self.default = default
            self.default_factory = default_factory
            self.init = init
            self.repr = repr
            self.compare = compare
            self.metadata = {} if metadata is None else dict(metadata)

        def __repr__(self):
            return f"Field(name={self.name!r})"

    def field(*, default=_MISSING, default_factory=_MISSING, init=True, repr=True, compare=True,  # noqa: A002
              metadata=None):
        if default is not _MISSING and default_factory is not _MISSING:
            raise ValueError("cannot specify both default and default_factory")
        return Field(default, default_factory, init, repr, compare, metadata)

    def fields(obj):
        return tuple(obj.__dataclass_fields__.values())

    def is_dataclass(obj):
        return hasattr(obj if isinstance(obj, type) else type(obj), "__dataclass_fields__")

    def replace(obj, /, **changes):
        for spec in obj.__dataclass_fields__.values():
            if not spec.init:
                if spec.name in changes:
                    raise ValueError(f"field {spec.name} is declared with init=False, it cannot be specified with "
                                     "replace()")
            elif spec.name not in changes:
                changes[spec.name] = getattr(obj, spec.name)
        return obj.__class__(**changes)

    def _repr(self):
        shown = ", ".join(f"{spec.name}={getattr(self, spec.name)!r}"
                          for spec in self.__dataclass_fields__.values() if spec.repr)
        return f"{type(self).__qualname__}({shown})"

    def _frozen_setattr(self, name, value):
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def _frozen_delattr(self, name):
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def _collect(cls):
        specs = {}
        for name in cls.__dict__.get("__annotations__", {}):
            value = cls.__dict__.get(name, _MISSING)
            spec = value if isinstance(value, Field) else Field(value, _MISSING, True, True, True, None)
            spec.name = name
            if isinstance(value, Field):
                if spec.default is _MISSING:
                    delattr(cls, name)
                else:
                    setattr(cls, name, spec.default)
            specs[name] = spec
        return specs

    def _compare_methods(specs):
        """`__eq__` and `__hash__` over the compared fields, as dataclasses writes them (the same tuples), built
        from `attrgetter` rather than compiled: compiling them would cost ~0.05 ms a class."""
        names = [spec.name for spec in specs.values() if spec.compare]
        if len(names) == 1:
            one = attrgetter(names[0])

            def key(obj):
                return (one(obj),)
        elif names:
            key = attrgetter(*names)
        else:
            def key(obj):
                return ()

        def __eq__(self, other):
            if other.__class__ is self.__class__:
                return key(self) == key(other)
            return NotImplemented

        def __hash__(self):
            return hash(key(self))

        return __eq__, __hash__

    def _source(cls, specs, frozen):
        """`__init__`'s source, the names it refers to and its defaults in parameter order. Every default is
        written `...` in the source (the function gets the real ones from `defaults`), so the text depends on
        the fields' names and kinds only: it is the key of the precompiled table (`_record_inits.INITS`)."""
        names = {"_MISSING": _MISSING, "_set": object.__setattr__}
        params, body, defaults = ["self"], [], []
        for spec in specs.values():
            n = spec.name
            if spec.default_factory is not _MISSING:
                names[f"_f_{n}"] = spec.default_factory
                if spec.init:
                    params.append(f"{n}=...")
                    defaults.append(_MISSING)
                    value = f"_f_{n}() if {n} is _MISSING else {n}"
                else:
                    value = f"_f_{n}()"
            elif spec.init:
                if spec.default is _MISSING:
                    params.append(n)
                else:
                    params.append(f"{n}=...")
                    defaults.append(spec.default)
                value = n
            elif spec.default is not _MISSING:
                names[f"_d_{n}"] = spec.default
                value = f"_d_{n}"
            else:
                continue
            body.append(f"    _set(self, {n!r}, {value})" if frozen else f"    self.{n} = {value}")
        if hasattr(cls, "__post_init__"):
            body.append("    self.__post_init__()")
        lines = [f"def __init__({', '.join(params)}):", *(body or ["    pass"])]
        return "\n".join(lines), names, tuple(defaults) or None

    def _build(source, names, defaults, qualname):
        """The real `__init__`: its code precompiled in `_record_inits` (cached in a .pyc by the import system)
        when the table has this exact source, else compiled here (≈ 0.07 ms a class, in every process)."""
        from ._record_inits import INITS

        code = INITS.get(source)
        if code is None:
            exec(source, names)  # noqa: S102 - our own generated source, from the class's field names
            code = names.pop("__init__").__code__
        real = _function(code, names, "__init__", defaults)
        real.__qualname__ = qualname
        return real

    def _lazy_init(cls, source, names, defaults):
        """An `__init__` that builds the real one (`_build`) on the class's first instance and puts it in its
        place: a render creates instances of only some of the classes it imports (start-up, issue 15). The
        real one raises the same TypeErrors."""
        qualname = f"{cls.__qualname__}.__init__"
        built = []

        def __init__(self, *args, **kwargs):
            if not built:
                built.append(_build(source, names, defaults, qualname))
                if cls.__dict__.get("__init__") is __init__:
                    cls.__init__ = built[0]
            built[0](self, *args, **kwargs)

        __init__.__qualname__ = qualname
        return __init__

    def dataclass(cls=None, /, *, frozen=False, eq=True, order=False):
        if order:
            raise NotImplementedError("imagevector.records: order=True is not supported")

        def wrap(cls):
            specs = _collect(cls)
            own = cls.__dict__
            eq_here = eq and "__eq__" not in own
            explicit_hash = own.get("__hash__", _MISSING) not in (_MISSING, None) or (
                "__hash__" in own and "__eq__" not in own)
            add_hash = eq and frozen and not explicit_hash
            compare_eq, compare_hash = _compare_methods(specs)
            cls.__dataclass_fields__ = specs
            source = _source(cls, specs, frozen)
            if (cls.__module__ + ".").startswith("imagevector."):
                REGISTRY.append((cls, source[0]))
            cls.__init__ = _lazy_init(cls, *source)
            if "__repr__" not in own:
                cls.__repr__ = _repr
            if eq_here:
                cls.__eq__ = compare_eq
            if add_hash:
                cls.__hash__ = compare_hash
            elif eq and not frozen and not explicit_hash:
                cls.__hash__ = None
            if frozen:
                cls.__setattr__ = _frozen_setattr
                cls.__delattr__ = _frozen_delattr
            cls.__match_args__ = tuple(spec.name for spec in specs.values() if spec.init)
            return cls

        return wrap if cls is None else wrap(cls)


__all__ = ["FrozenInstanceError", "dataclass", "field", "fields", "is_dataclass", "replace"]
