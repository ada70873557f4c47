"""imagevector: apply an image vector to Kubernetes manifests at render time."""
