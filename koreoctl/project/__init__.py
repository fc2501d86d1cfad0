"""Where Koreo programs come from: the project layout and YAML sources."""
