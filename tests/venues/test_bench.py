import pypdfium2
import pytest
from bench.posters import run

pytestmark = pytest.mark.django_db


def test_the_posters_benchmark_runs_on_a_small_batch(tmp_path):
    out = tmp_path / "posters.pdf"
    assert run(count=20, out=out) > 0
    document = pypdfium2.PdfDocument(out.read_bytes())
    assert len(document) == 20
    document.close()
