"""Rich text: an allow-list HTML sanitiser and the model field that applies it on save."""

from .sanitize import sanitize_html

__all__ = ["sanitize_html"]
