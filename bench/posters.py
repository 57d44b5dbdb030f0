"""Time `qrtrace posters` on one commune with many venues (default 1,000) into one PDF.

    .venv/bin/python bench/posters.py [--count 1000]

Runs in a throw-away SQLite data directory, so it never touches a real database. The result goes
in docs/benchmarks.md ("## Posters").
"""

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path


def run(*, count: int, out: Path) -> float:
    """Create `count` active venues in one commune and time the posters command; needs a migrated DB."""
    from django.conf import settings
    from django.core.management import call_command

    from qrtrace.geo.models import Commune
    from qrtrace.lib.signing import random_code
    from qrtrace.venues.models import Venue

    commune = Commune.objects.filter(province_id=settings.QRTRACE_PROVINCE).order_by("code").first()
    Venue.objects.bulk_create(
        Venue(
            code=random_code(7),
            name=f"Cửa hàng tạp hóa Đức Thịnh số {n}",
            kind="shop",
            address=f"{n} đường Nguyễn Trãi, khu phố Đông Hương",
            commune=commune,
            default_stay_minutes=30,
            status="active",
        )
        for n in range(count)
    )
    started = time.perf_counter()
    call_command("posters", "--commune", str(commune.code), "--out", str(out), stdout=io.StringIO())
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["QRTRACE_DATA_DIR"] = tmp
        os.environ["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qrtrace.settings")
        sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
        out = Path(tmp) / "posters.pdf"
        seconds = run(count=args.count, out=out)
        size_mb = out.stat().st_size / 1e6
        rate = args.count / seconds
        print(f"{args.count} posters in one PDF: {seconds:.1f} s ({rate:.0f}/s), {size_mb:.1f} MB")


if __name__ == "__main__":
    main()
