"""The module map's one rule, enforced: apps meet only through their public interfaces."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command

PROJECT_APPS = {"accounts", "catalog", "orders", "payments", "checkout", "kernel"}
ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_are_kept():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.lower().replace("0 broken", "")


def _project_models():
    return [model for model in apps.get_models() if model._meta.app_label in PROJECT_APPS]


def test_no_foreign_key_crosses_an_app_boundary_except_to_the_user_model():
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    crossings = []
    for model in _project_models():
        for field in model._meta.get_fields():
            if not field.is_relation or not field.concrete or field.related_model is None:
                continue
            target = field.related_model
            if target is user_model or target._meta.app_label not in PROJECT_APPS:
                continue
            if target._meta.app_label == model._meta.app_label:
                continue
            crossings.append(f"{model._meta.label}.{field.name} -> {target._meta.label}")
    assert crossings == []


def test_the_check_sees_every_project_app():
    assert {model._meta.app_label for model in _project_models()} >= {"accounts", "kernel"}


@pytest.mark.django_db
def test_migrations_match_the_models():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
