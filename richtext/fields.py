from django_ckeditor_5.fields import CKEditor5Field

from .sanitize import sanitize_html


class RichTextField(CKEditor5Field):
    """HTML edited with CKEditor 5 and sanitised with nh3 on every write.

    ``pre_save`` cleans the instance's value, so a saved object holds what
    the database holds; ``get_db_prep_save`` covers writes that bypass it
    (``QuerySet.update``, ``bulk_update``).
    """

    def pre_save(self, model_instance, add):
        value = sanitize_html(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value

    def get_db_prep_save(self, value, connection):
        # Expressions (bulk_update's CASE, F(), ...) are cleaned where their
        # values are bound, through this same method.
        if not hasattr(value, "as_sql"):
            value = sanitize_html(value)
        return super().get_db_prep_save(value, connection)
