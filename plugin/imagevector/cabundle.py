"""A vector's `caBundle`: well-formed PEM certificates, and whether they can be trusted now (no X.509 library:
only the validity dates are read from the DER)."""

from __future__ import annotations

import base64
import binascii
import re
from datetime import datetime, timezone

_PEM_BLOCK = re.compile(r"-----BEGIN CERTIFICATE-----\s*(.*?)\s*-----END CERTIFICATE-----", re.S)


def check_ca_bundle(pem: str) -> str | None:
    """None when `pem` holds one or more parsable PEM certificates, else the reason."""
    blocks = _PEM_BLOCK.findall(pem)
    if not blocks:
        return "holds no PEM certificate (-----BEGIN CERTIFICATE----- … -----END CERTIFICATE-----)"
    for i, body in enumerate(blocks, 1):
        try:
            der = base64.b64decode("".join(body.split()), validate=True)
        except (binascii.Error, ValueError):
            return f"certificate {i} is not valid base64"
        if len(der) < 16 or der[0] != 0x30:
            return f"certificate {i} is not a DER certificate"
    return None


def ca_bundle_validity(pem: str, now: datetime | None = None) -> list[str]:
    """Why certificates of a (well-formed) bundle cannot be trusted now: expired or not yet valid."""
    now = now or datetime.now(timezone.utc)
    reasons: list[str] = []
    for i, body in enumerate(_PEM_BLOCK.findall(pem), 1):
        try:
            not_before, not_after = _validity(base64.b64decode("".join(body.split())))
        except (ValueError, IndexError, binascii.Error):
            reasons.append(f"certificate {i} is not a parsable X.509 certificate")
            continue
        if not_after < now:
            reasons.append(f"certificate {i} expired on {not_after:%Y-%m-%d %H:%M:%S} UTC")
        elif not_before > now:
            reasons.append(f"certificate {i} is not valid before {not_before:%Y-%m-%d %H:%M:%S} UTC")
    return reasons


def _der(data: bytes, at: int) -> tuple[int, int, int]:
    """(tag, start of content, end of content) of the DER element at `at`."""
    tag, length = data[at], data[at + 1]
    at += 2
    if length & 0x80:
        count = length & 0x7F
        if not 0 < count <= 4:
            raise ValueError("bad length")
        length = int.from_bytes(data[at : at + count], "big")
        at += count
    if at + length > len(data):
        raise ValueError("truncated")
    return tag, at, at + length


def _validity(der: bytes) -> tuple[datetime, datetime]:
    """notBefore and notAfter of an X.509 certificate (RFC 5280 §4.1)."""
    _, cert, _ = _der(der, 0)  # Certificate ::= SEQUENCE
    tag, at, end = _der(der, cert)  # tbsCertificate ::= SEQUENCE
    if tag != 0x30:
        raise ValueError("no tbsCertificate")
    fields: list[int] = []
    while at < end and len(fields) < 6:
        fields.append(at)
        at = _der(der, at)[2]
    if der[fields[0]] == 0xA0:  # [0] version
        fields.pop(0)
    tag, at, _ = _der(der, fields[3])  # serial, signature, issuer, validity
    if tag != 0x30:
        raise ValueError("no validity")
    times: list[datetime] = []
    for _ in range(2):
        tag, start, stop = _der(der, at)
        text = der[start:stop].decode("ascii")
        if tag == 0x17:  # UTCTime YYMMDDHHMMSSZ
            year = int(text[:2])
            text = f"{1900 + year if year >= 50 else 2000 + year}{text[2:]}"
        elif tag != 0x18:  # GeneralizedTime YYYYMMDDHHMMSSZ
            raise ValueError("bad time")
        times.append(datetime.strptime(text, "%Y%m%d%H%M%SZ").replace(tzinfo=timezone.utc))
        at = stop
    return times[0], times[1]
