from django.apps import AppConfig


class GemsConfig(AppConfig):
    name = "gems"
