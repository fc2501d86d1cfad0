"""ConfigHub-style functions over rendered units: registry, paths and functions."""
