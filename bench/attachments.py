"""Attachments: what an upload of a phone photo costs the server, and whether a large
download streams in constant memory at disk speed.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/casedesk \\
    .venv/bin/python bench/attachments.py [--uploads 10] [--download-mb 200]

Runs in-process through Django's test client against a throw-away test database (created
and dropped here) and a temporary attachments folder, so "server time" is the time Django
spends on the request: parsing the multipart body, checking and re-encoding the photo,
storing it and its thumbnail, writing the rows and rendering the refreshed panel. The
download is measured by streaming the response to nowhere, with tracemalloc's peak and
the process's peak RSS before and after, beside a plain read of the same file for "disk
speed". Writes bench/results/attachments-<date>.json. Every loop is bounded.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.common import bench_environment  # noqa: E402

bench_environment()
os.environ.setdefault("CASEDESK_ATTACHMENTS_DIR", tempfile.mkdtemp(prefix="casedesk-bench-"))


def phone_photo(target_bytes: int = 4 * 1024 * 1024) -> bytes:
    """A 12-megapixel JPEG of about `target_bytes`, with EXIF GPS, like a phone's."""
    from PIL import Image

    from tests.attachment_fixtures import GPS_IFD, LONDON

    size = (4032, 3024)
    base = Image.linear_gradient("L").resize(size).convert("RGB")
    image = Image.blend(base, Image.effect_noise(size, 40).convert("RGB"), 0.5)
    exif = Image.Exif()
    exif[0x0112] = 6
    exif.get_ifd(GPS_IFD).update(LONDON)
    data = b""
    for quality in range(90, 40, -5):
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality, exif=exif.tobytes())
        data = out.getvalue()
        if len(data) <= target_bytes * 1.05:
            break
    return data


def cpu_calibration_ms() -> float:
    """A fixed pure-Python workload, best of three: how fast this machine was just now."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        total = 0
        for n in range(1_000_000):
            total += n * n % 7
        best = min(best, time.perf_counter() - start)
    return round(best * 1000, 1)


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def bench_uploads(client, case, photo: bytes, count: int) -> dict[str, object]:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
    from django.urls import reverse

    from attachments.processing import prepare

    url = reverse("case_log_interaction", args=[case.reference])
    request_ms, prepare_ms = [], []
    for i in range(count):
        upload = SimpleUploadedFile(f"IMG_{i:04d}.JPG", photo, content_type="image/jpeg")
        start = time.perf_counter()
        prepare(upload)
        prepare_ms.append((time.perf_counter() - start) * 1000)
        data = {
            "channel": "in_person",
            "direction": "inbound",
            "summary": f"Receipt {i}",
            "demeanour": "calm",
            "minutes": "2",
            "files": [SimpleUploadedFile(f"IMG_{i:04d}.JPG", photo, content_type="image/jpeg")],
        }
        # Encoded before the clock starts: the browser's work, not the server's.
        body = encode_multipart(BOUNDARY, data)
        start = time.perf_counter()
        response = client.generic(
            "POST", url, body, content_type=MULTIPART_CONTENT, HTTP_HX_REQUEST="true"
        )
        request_ms.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    return {
        "photo_bytes": len(photo),
        "uploads": count,
        "request_ms_p50": round(statistics.median(request_ms), 1),
        "request_ms_max": round(max(request_ms), 1),
        "check_and_reencode_ms_p50": round(statistics.median(prepare_ms), 1),
    }


def bench_download(client, case, staff, size_mb: int) -> dict[str, object]:
    from django.urls import reverse

    from attachments.models import Attachment
    from attachments.services import storage

    key = "bench/large.pdf"
    block = os.urandom(1024 * 1024)
    path = Path(storage().path(key))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.write(b"%PDF-1.7\n")
        for _ in range(size_mb):
            handle.write(block)
    size = path.stat().st_size
    interaction = case.interactions.first()
    attachment = Attachment.objects.create(
        case=case,
        interaction=interaction,
        uploaded_by=staff,
        name="large.pdf",
        content_type="application/pdf",
        size=size,
        storage_key=key,
    )
    start = time.perf_counter()
    with path.open("rb") as handle:
        while handle.read(256 * 1024):
            pass
    plain_s = time.perf_counter() - start

    rss_before = max_rss_mb()
    tracemalloc.start()
    start = time.perf_counter()
    response = client.get(reverse("attachment_download", args=[attachment.pk]))
    sent = 0
    for chunk in response.streaming_content:
        sent += len(chunk)
    view_s = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    response.close()
    path.unlink()
    assert sent == size, (sent, size)
    return {
        "file_mb": round(size / 1024 / 1024, 1),
        "plain_read_mb_per_s": round(size / 1024 / 1024 / plain_s, 1),
        "download_mb_per_s": round(size / 1024 / 1024 / view_s, 1),
        "python_peak_alloc_mb": round(peak / 1024 / 1024, 2),
        "process_max_rss_growth_mb": round(max_rss_mb() - rss_before, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--uploads", type=int, default=10)
    parser.add_argument("--download-mb", type=int, default=200)
    args = parser.parse_args()
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment, teardown_test_environment

    from cases import services
    from tests.factories import CategoryFactory, CustomerFactory, TeamFactory, UserFactory

    setup_test_environment()
    test_db = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        team: Any = TeamFactory()
        staff: Any = UserFactory(teams=[team])
        customer: Any = CustomerFactory(team=team, created_by=staff)
        case = services.open_case(
            by=staff,
            customer=customer,
            team=team,
            subject="Bench",
            category=CategoryFactory(),  # type: ignore[arg-type]
            channel="in_person",
        )
        client = Client()
        client.force_login(staff)
        photo = phone_photo()
        result = {
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "database": connection.vendor,
            "cpus": os.cpu_count(),
            # The machine is shared: read the timings beside how busy it was.
            "load_average_1m": round(os.getloadavg()[0], 1),
            "cpu_calibration_ms": cpu_calibration_ms(),
            "upload": bench_uploads(client, case, photo, max(1, min(args.uploads, 100))),
            "download": bench_download(client, case, staff, max(1, min(args.download_mb, 2048))),
        }
    finally:
        connection.creation.destroy_test_db(test_db, verbosity=0)
        teardown_test_environment()
    print(json.dumps(result, indent=2))
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    (out / f"attachments-{stamp}.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
