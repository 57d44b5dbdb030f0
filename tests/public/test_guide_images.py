import importlib

import pytest
from django.core.management.base import CommandError
from PIL import Image

from qrtrace.public.guide import PICTURE_WIDTH, PICTURES, SECTIONS

command = importlib.import_module("qrtrace.public.management.commands.guide-images")


def test_the_pictures_are_cut_from_the_screenshots_and_scaled_to_the_guides_width(tmp_path):
    for screenshot, (width, _height) in PICTURES.values():
        Image.new("RGB", (width * 2, 3000), (200, 30, 30)).save(tmp_path / f"{screenshot}.png")  # a 2× screen
    written = command.make_pictures(source=tmp_path, out=tmp_path / "guide")
    assert sorted(p.name for p in written) == sorted(PICTURES)
    for path in written:
        width, height = PICTURES[path.name][1]
        with Image.open(path) as picture:
            assert picture.size == (PICTURE_WIDTH, round(height * PICTURE_WIDTH / width))


def test_a_missing_screenshot_names_the_browser_tests_to_run(tmp_path):
    with pytest.raises(CommandError, match="run pytest tests/browser first"):
        command.make_pictures(source=tmp_path, out=tmp_path / "guide")


def test_every_picture_the_guide_shows_is_one_the_command_makes():
    shown = {step.picture for section in SECTIONS for step in section.steps if step.picture}
    assert shown == set(PICTURES)
