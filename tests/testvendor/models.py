from django.db import models

from vendors.core.models import Connection


class WidgetConnection(Connection):
    pass


class Widget(models.Model):
    connection = models.ForeignKey(WidgetConnection, on_delete=models.CASCADE, related_name="widgets")
    external_id = models.CharField(max_length=64)
    name = models.CharField(max_length=100)
    status = models.CharField(max_length=32)
    #: read per widget, a part of the poll (kept as stored when that read fails)
    owner = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["connection", "external_id"], name="unique_widget")]
