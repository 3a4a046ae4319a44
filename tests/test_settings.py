from pathlib import Path

import pytest
from pydantic import ValidationError

from simulator.cli.common import add_settings_flags, settings_from_args
from simulator.settings import Settings


def test_defaults_name_the_embedded_models():
    settings = Settings.load(environ={})
    assert settings.chat_model == "smollm2-135m-instruct"
    assert settings.embedder == "all-minilm-l6-v2"
    assert settings.manifest_path == settings.models_dir / "manifest.yaml"


def test_environment_variables_are_read():
    settings = Settings.load(environ={"INTERVIEW_SIM_CHAT_MODEL": "fake", "INTERVIEW_SIM_PORT": "9000",
                                      "INTERVIEW_SIM_SHARE": "yes", "INTERVIEW_SIM_CACHE_DIR": "/tmp/c"})
    assert (settings.chat_model, settings.port, settings.share) == ("fake", 9000, True)
    assert settings.cache_dir == Path("/tmp/c")


def test_flags_override_environment_and_none_flags_do_not():
    environ = {"INTERVIEW_SIM_CHAT_MODEL": "from-env", "INTERVIEW_SIM_DEVICE": "cpu"}
    settings = Settings.load({"chat_model": "from-flag", "device": None}, environ=environ)
    assert settings.chat_model == "from-flag"
    assert settings.device == "cpu"


def test_cli_flags_map_onto_settings(monkeypatch):
    import argparse

    monkeypatch.setenv("INTERVIEW_SIM_EMBEDDER", "env-embedder")
    monkeypatch.setenv("INTERVIEW_SIM_CHAT_MODEL", "env-model")
    parser = argparse.ArgumentParser()
    add_settings_flags(parser, "--model", "--embedder")
    settings = settings_from_args(parser.parse_args(["--model", "fake"]))
    assert settings.chat_model == "fake"
    assert settings.embedder == "env-embedder"


@pytest.mark.parametrize("environ", [{"INTERVIEW_SIM_SHARE": "maybe"}, {"INTERVIEW_SIM_PORT": "eighty"}])
def test_bad_environment_values_are_errors(environ):
    with pytest.raises((ValueError, ValidationError)):
        Settings.load(environ=environ)


def test_unknown_setting_is_an_error():
    with pytest.raises(ValidationError):
        Settings.load({"chat_modle": "fake"}, environ={})
