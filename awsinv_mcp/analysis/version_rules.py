"""Placeholder: rules of this category are added by their issue."""
