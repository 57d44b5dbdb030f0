"""`qrtrace guide-images`: the guide's pictures, from the browser tests' screenshots.

Run the browser tests first (`pytest tests/browser`), which save var/screenshots/*.png; this crops
the top of each chosen screenshot, scales it down and writes it to public/static/public/guide/.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qrtrace.public.guide import PICTURE_WIDTH, PICTURES

ROOT = Path(__file__).resolve().parents[5]
SCREENSHOTS = ROOT / "var" / "screenshots"
OUT = Path(__file__).resolve().parents[2] / "static" / "public" / "guide"


def make_pictures(source: Path = SCREENSHOTS, out: Path = OUT) -> list[Path]:
    from PIL import Image

    missing = [name for name, _crop in PICTURES.values() if not (source / f"{name}.png").exists()]
    if missing:
        raise CommandError(f"screenshots missing in {source} (run pytest tests/browser first): {missing}")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for picture, (screenshot, (width, height)) in PICTURES.items():
        with Image.open(source / f"{screenshot}.png") as image:
            scale = image.width / max(width, 1) if image.width < width else 1
            box = (round(width * scale), round(height * scale))
            top = Image.new("RGB", box, (245, 247, 249))  # a short page: padded with the page's background
            top.paste(image.crop((0, 0, min(image.width, box[0]), min(image.height, box[1]))), (0, 0))
            height = round(top.height * PICTURE_WIDTH / top.width)
            small = top.convert("RGB").resize((PICTURE_WIDTH, height), Image.LANCZOS)
            small.quantize(colors=64).save(out / picture, optimize=True)
        written.append(out / picture)
    return written


class Command(BaseCommand):
    help = "Make the guide's pictures from the browser tests' screenshots (var/screenshots/)."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="source", default=str(SCREENSHOTS))

    def handle(self, *args, source: str, **options):
        for path in make_pictures(Path(source)):
            self.stdout.write(f"{path.name}: {path.stat().st_size // 1024} KB")
