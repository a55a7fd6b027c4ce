"""Every serializer and model form names its fields: a field added to a model later is
never exposed, or made writable, by accident."""

import importlib
import inspect

import pytest
from django import forms
from rest_framework import serializers

OUR_APPS = ["grids", "households", "monitoring", "employment", "services"]


def classes(module_names, base):
    for app in OUR_APPS:
        for name in module_names:
            try:
                module = importlib.import_module(f"{app}.{name}")
            except ModuleNotFoundError:
                continue
            for value in vars(module).values():
                if inspect.isclass(value) and issubclass(value, base) and value.__module__ == module.__name__:
                    yield value


@pytest.mark.parametrize(
    "serializer", list(classes(["api"], serializers.ModelSerializer)), ids=lambda c: c.__qualname__
)
def test_serializers_list_their_fields(serializer):
    assert isinstance(serializer.Meta.fields, list | tuple)
    assert not hasattr(serializer.Meta, "exclude")


@pytest.mark.parametrize(
    "form", list(classes(["forms", "admin", "export_forms"], forms.ModelForm)), ids=lambda c: c.__qualname__
)
def test_model_forms_list_their_fields(form):
    assert form._meta.fields is not None and form._meta.fields != "__all__"
    assert not form._meta.exclude


def test_every_api_module_was_looked_at():
    assert len(list(classes(["api"], serializers.ModelSerializer))) >= 15
