"""Encrypted attachments: type by content, EXIF stripped, chunked encryption, scope, referrals, scanner,
rotation, shredding, and the S3-compatible store."""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import subprocess
import uuid
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy.exc import IntegrityError

from caseapp.extensions import db
from caseapp.models import Attachment, AuditEvent, DataKey
from caseapp.security import crypto
from caseapp.services import attachments, data_keys
from caseapp.services.attachments import storage
from tests.casedata import register
from tests.conftest import KEYS, login, skip_or_fail
from tests.rawscan import scan_for

CANARY = b"Canary-PDF-bytes-9f3b"
NAME_CANARY = "visum Canary Aminah.pdf"
DESC_CANARY = "Canary description from RSUD Kendari"
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def pdf(extra: bytes = CANARY) -> bytes:
    return b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n% " + extra + b"\ntrailer\n<<>>\n%%EOF\n"


def jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "CanaryPhoneMaker"  # Make
    exif[0x0110] = "CanaryPhone 9"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "S", (3.0, 58.0, 12.0), "E", (122.0, 30.0, 54.0)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _token(app, user) -> dict[str, str]:
    result = app.test_cli_runner().invoke(args=["user", "token", user.username])
    return {"Authorization": f"Bearer {result.output.strip().splitlines()[-1]}"}


def _upload(client, headers, case_id, data: bytes, name: str = NAME_CANARY, kind: str = "visum", **form):
    fields = {"file": (io.BytesIO(data), name), "kind": kind, **form}
    return client.post(
        f"/api/v1/cases/{case_id}/attachments",
        data=fields,
        headers=headers,
        content_type="multipart/form-data",
    )


def _store_files(app) -> list[Path]:
    root = Path(app.config["ATTACHMENT_DIR"])
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def people(app, make_user):
    return {
        "worker": make_user("case_worker", "UPTD_PPA"),
        "spv": make_user("supervisor", "UPTD_PPA"),
        "police_spv": make_user("supervisor", "POLRESTA"),
        "dinsos_spv": make_user("supervisor", "DINSOS"),
    }


@pytest.fixture
def case(app, people):
    with app.app_context():
        return register(people["worker"])


@pytest.fixture
def w(app, people):
    return _token(app, people["worker"])


def test_uploaded_bytes_name_and_description_rest_nowhere_in_plaintext(app, client, case, w):
    response = _upload(client, w, case.uuid, pdf(), description=DESC_CANARY)
    assert response.status_code == 201, response.json
    item = response.json
    assert item["content_type"] == "application/pdf" and item["status"] == "clean"
    assert item["name"] == NAME_CANARY and item["description"] == DESC_CANARY
    files = _store_files(app)
    assert files, "the encrypted file is in the store"
    for path in files:
        raw = path.read_bytes()
        assert raw.startswith(crypto.FILE_MAGIC)
        for canary in (CANARY, NAME_CANARY.encode(), DESC_CANARY.encode(), b"%PDF"):
            assert canary not in raw
        assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert scan_for(app, [CANARY.decode(), "Canary Aminah", DESC_CANARY]) == []

    got = client.get(f"/api/v1/attachments/{item['id']}", headers=w)
    assert got.status_code == 200 and got.data == pdf()
    assert got.headers["Content-Type"] == "application/pdf"
    assert got.headers["Content-Disposition"].startswith("attachment;")
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert got.headers["Content-Security-Policy"].startswith("sandbox")
    listed = client.get(f"/api/v1/cases/{case.uuid}/attachments", headers=w).json["items"]
    assert [a["id"] for a in listed] == [item["id"]]
    with app.app_context():
        actions = set(db.session.scalars(db.select(AuditEvent.action)))
        assert {"attachment.upload", "attachment.download", "attachment.list"} <= actions
        details = " ".join(str(d) for d in db.session.scalars(db.select(AuditEvent.details)))
        assert "Canary" not in details


def test_another_agency_gets_404_for_list_and_download(app, client, case, w, people):
    item = _upload(client, w, case.uuid, pdf()).json
    other = _token(app, people["dinsos_spv"])
    assert client.get(f"/api/v1/cases/{case.uuid}/attachments", headers=other).status_code == 404
    assert client.get(f"/api/v1/attachments/{item['id']}", headers=other).status_code == 404
    assert client.get(f"/api/v1/attachments/{uuid.uuid4()}", headers=w).status_code == 404
    assert client.get("/api/v1/attachments/not-a-uuid", headers=w).status_code == 404
    with app.app_context():
        denied = db.session.scalars(
            db.select(AuditEvent).where(
                AuditEvent.action == "authz.deny", AuditEvent.object_type == "attachment"
            )
        ).all()
        assert denied


def _refer(client, headers, case_id, to: str, sections: list[str]):
    return client.post(
        f"/api/v1/cases/{case_id}/referrals",
        json={
            "to_agency": to,
            "services": ["law_enforcement"],
            "urgency": "urgent",
            "reason": "Canary reason",
            "shared_sections": sections,
            "consent": {"given_by": "guardian", "name": "Ibu Canary", "obtained_at": "2026-11-20"},
        },
        headers=headers,
    )


def test_a_referral_receiver_sees_attachments_only_when_shared(app, client, case, w, people):
    item = _upload(client, w, case.uuid, pdf()).json
    police = _token(app, people["police_spv"])
    dinsos = _token(app, people["dinsos_spv"])
    plain = _refer(client, w, case.uuid, "POLRESTA", ["identity", "incident"])
    assert plain.status_code == 201, plain.json
    seen = client.get(f"/api/v1/referrals/{plain.json['id']}", headers=police).json
    assert "attachments" not in seen["case"]
    assert client.get(f"/api/v1/attachments/{item['id']}", headers=police).status_code == 404

    shared = _refer(client, w, case.uuid, "DINSOS", ["identity", "attachments"])
    assert shared.status_code == 201, shared.json
    seen = client.get(f"/api/v1/referrals/{shared.json['id']}", headers=dinsos).json
    assert [a["id"] for a in seen["case"]["attachments"]] == [item["id"]]
    got = client.get(f"/api/v1/attachments/{item['id']}", headers=dinsos)
    assert got.status_code == 200 and got.data == pdf()
    with app.app_context():
        event = db.session.scalars(
            db.select(AuditEvent)
            .where(AuditEvent.action == "attachment.download")
            .order_by(AuditEvent.seq.desc())
        ).first()
        assert json.loads(event.details)["referral"] == shared.json["id"]
        # Never ticked by default.
        from caseapp.models import Agency
        from caseapp.services import referrals

        for agency in db.session.scalars(db.select(Agency)):
            assert "attachments" not in referrals.default_sections(agency)
    # The receiver cannot delete the sender's file.
    assert (
        client.post(
            f"/api/v1/attachments/{item['id']}/delete", json={"reason": "x"}, headers=dinsos
        ).status_code
        == 404
    )


@pytest.mark.parametrize(
    "data,detected",
    [
        (Path("/bin/true").read_bytes(), "application/x-"),
        (b"MZ" + b"\x00" * 300, "application/x-dosexec"),
        (b"PK\x03\x04" + b"\x00" * 100, None),
        (b"", None),
    ],
    ids=["elf", "exe", "zip", "empty"],
)
def test_programs_and_other_types_renamed_pdf_are_refused_with_the_reason(
    app, client, case, w, data, detected
):
    response = _upload(client, w, case.uuid, data, name="visum.pdf")
    assert response.status_code == 400, response.json
    reason = response.json["fields"]["file"][0]
    if detected:
        assert detected in reason
    assert _store_files(app) == []
    with app.app_context():
        refused = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "attachment.refuse"))
        assert refused is not None and refused.outcome == "denied"
        assert db.session.scalar(db.select(db.func.count(Attachment.id))) == 0


def test_an_oversize_upload_is_413(app_factory, make_user, client):
    small = app_factory(ATTACHMENT_MAX_BYTES=2000)
    small_client = small.test_client()
    worker = make_user("case_worker", "UPTD_PPA")
    with small.app_context():
        ref = register(worker)
    headers = _token(small, worker)
    response = _upload(small_client, headers, ref.uuid, pdf(b"x" * 3000))
    assert response.status_code == 413 and response.json["error"] == "too_large"
    # Far past the limit: refused before the body is read.
    response = _upload(small_client, headers, ref.uuid, pdf(b"x" * 300_000))
    assert response.status_code == 413
    assert _upload(small_client, headers, ref.uuid, pdf(b"x" * 100)).status_code == 201


def test_a_jpeg_with_gps_exif_comes_back_without_it(app, client, case, w):
    original = jpeg_with_gps()
    with Image.open(io.BytesIO(original)) as check:
        assert check.getexif().get_ifd(0x8825), "the test photo carries GPS"
    response = _upload(client, w, case.uuid, original, name="luka.jpg", kind="photo")
    assert response.status_code == 201, response.json
    assert response.json["content_type"] == "image/jpeg" and response.json["has_thumbnail"]
    got = client.get(f"/api/v1/attachments/{response.json['id']}", headers=w)
    assert got.status_code == 200
    assert b"CanaryPhone" not in got.data and b"Exif" not in got.data
    with Image.open(io.BytesIO(got.data)) as image:
        assert image.size == (64, 48)
        assert not image.getexif() and not image.getexif().get_ifd(0x8825)
    thumb = client.get(f"/api/v1/attachments/{response.json['id']}/thumbnail", headers=w)
    assert thumb.status_code == 200 and thumb.headers["Content-Type"] == "image/jpeg"
    assert thumb.headers["X-Content-Type-Options"] == "nosniff"
    # A PDF has no preview.
    other = _upload(client, w, case.uuid, pdf()).json
    assert client.get(f"/api/v1/attachments/{other['id']}/thumbnail", headers=w).status_code == 404


def _records(stored: bytes) -> list[bytes]:
    pos, out = len(crypto.FILE_MAGIC), []
    while pos < len(stored):
        size = int.from_bytes(stored[pos : pos + 4], "big")
        out.append(stored[pos : pos + 4 + size])
        pos += 4 + size
    return out


def test_swapped_reordered_or_truncated_chunks_fail_with_a_clear_error():
    dek, file_id = crypto.new_data_key(), str(uuid.uuid4())
    plain = [b"chunk-zero", b"chunk-one", b"chunk-two"]
    stored = b"".join(crypto.encrypt_chunks(dek, file_id, plain))
    assert list(crypto.decrypt_chunks(dek, file_id, stored)) == plain
    first, second, third = _records(stored)
    head = crypto.FILE_MAGIC
    with pytest.raises(crypto.DecryptionError, match="chunk 1 failed its integrity check"):
        list(crypto.decrypt_chunks(dek, file_id, head + first + third + second))
    with pytest.raises(crypto.DecryptionError, match="truncated"):
        list(crypto.decrypt_chunks(dek, file_id, head + first + second))
    with pytest.raises(crypto.DecryptionError, match="truncated inside chunk 2"):
        list(crypto.decrypt_chunks(dek, file_id, stored[:-5]))
    with pytest.raises(crypto.DecryptionError, match="follows its last chunk"):
        list(crypto.decrypt_chunks(dek, file_id, stored + third))
    # A chunk of another file, at the same place, does not pass either.
    other = b"".join(crypto.encrypt_chunks(dek, str(uuid.uuid4()), plain))
    with pytest.raises(crypto.DecryptionError, match="chunk 1"):
        list(crypto.decrypt_chunks(dek, file_id, head + first + _records(other)[1] + third))


def test_a_tampered_stored_file_is_refused_not_served(app, client, case, w):
    item = _upload(client, w, case.uuid, pdf(b"y" * 200_000)).json
    path = Path(app.config["ATTACHMENT_DIR"]) / uuid.UUID(item["id"]).hex
    records = _records(path.read_bytes())
    assert len(records) == 4  # 64 KiB chunks
    path.write_bytes(crypto.FILE_MAGIC + records[0] + records[2] + records[1] + records[3])
    got = client.get(f"/api/v1/attachments/{item['id']}", headers=w)
    assert got.status_code == 500 and got.json["error"] == "record_unreadable"


def test_rotation_rewraps_file_keys_and_shredding_destroys_files(app, app_factory, client, case, w):
    item = _upload(client, w, case.uuid, pdf()).json
    new_key = crypto.new_data_key()
    import base64

    ring = "k2027:" + base64.b64encode(new_key).decode() + "," + KEYS["CASEAPP_KEK"]
    rotated = app_factory(CASEAPP_KEK=ring, ATTACHMENT_DIR=app.config["ATTACHMENT_DIR"])
    with rotated.app_context():
        key_id = db.session.scalar(
            db.select(Attachment.data_key_id).where(Attachment.uuid == uuid.UUID(item["id"]))
        )
        assert db.session.get(DataKey, key_id).kek_id != "k2027"
        data_keys.rotate_all()
        assert db.session.get(DataKey, key_id).kek_id == "k2027"
    got = rotated.test_client().get(f"/api/v1/attachments/{item['id']}", headers=w)
    assert got.status_code == 200 and got.data == pdf()

    with rotated.app_context():
        row = db.session.scalar(db.select(Attachment).where(Attachment.uuid == uuid.UUID(item["id"])))
        assert attachments.shred_case_attachments(row.case) == 1
        db.session.commit()
        assert db.session.get(DataKey, key_id).wrapped is None
    assert _store_files(app) == []
    assert rotated.test_client().get(f"/api/v1/attachments/{item['id']}", headers=w).status_code == 404


def test_deleting_is_a_supervisors_soft_delete_with_a_reason(app, client, case, w, people):
    item = _upload(client, w, case.uuid, pdf()).json
    url = f"/api/v1/attachments/{item['id']}/delete"
    assert client.post(url, json={"reason": "duplikat"}, headers=w).status_code == 403
    spv = _token(app, people["spv"])
    assert client.post(url, json={"reason": "  "}, headers=spv).status_code == 400
    response = client.post(url, json={"reason": "Canary duplicate upload"}, headers=spv)
    assert response.status_code == 200, response.json
    assert client.get(f"/api/v1/cases/{case.uuid}/attachments", headers=spv).json["items"] == []
    assert client.get(f"/api/v1/attachments/{item['id']}", headers=spv).status_code == 404
    assert scan_for(app, ["Canary duplicate upload"]) == []
    with app.app_context():
        row = db.session.scalar(db.select(Attachment))
        assert row.deleted_at is not None and row.delete_reason == "Canary duplicate upload"
        assert db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "attachment.delete"))


def test_with_the_scanner_configured_but_down_uploads_wait_in_quarantine(app_factory, make_user, tmp_path):
    down = app_factory(CLAMD_SOCKET=str(tmp_path / "no-clamd.sock"))
    client = down.test_client()
    worker = make_user("case_worker", "UPTD_PPA")
    with down.app_context():
        ref = register(worker)
    headers = _token(down, worker)
    item = _upload(client, headers, ref.uuid, pdf()).json
    assert item["status"] == "quarantined"
    got = client.get(f"/api/v1/attachments/{item['id']}", headers=headers)
    assert got.status_code == 409
    with down.app_context():
        assert attachments.rescan_quarantined() == {"clean": 0, "infected": 0, "waiting": 1}
    result = down.test_cli_runner().invoke(args=["attachments", "rescan"])
    assert result.exit_code == 0 and "waiting 1" in result.output


# The real ClamAV daemon, with a signature database of our own: the EICAR test file's MD5 (.hdb).


@pytest.fixture(scope="module")
def clamd_socket(tmp_path_factory):
    binary = shutil.which("clamd") or ("/usr/sbin/clamd" if os.path.exists("/usr/sbin/clamd") else None)
    if binary is None:
        skip_or_fail("clamd (Debian's clamav-daemon) is not installed")
    root = tmp_path_factory.mktemp("clamd")
    (root / "db").mkdir()
    import hashlib

    (root / "db" / "eicar.hdb").write_text(
        f"{hashlib.md5(EICAR).hexdigest()}:{len(EICAR)}:Caseapp-Test-EICAR\n"
    )
    sock = root / "clamd.sock"
    conf = root / "clamd.conf"
    conf.write_text(
        f"LocalSocket {sock}\nDatabaseDirectory {root / 'db'}\nForeground yes\nLogFile {root / 'clamd.log'}\n"
        f"PidFile {root / 'clamd.pid'}\nTemporaryDirectory {root}\n"
    )
    errors = open(root / "clamd.stderr", "wb")  # noqa: SIM115 - closed below, after the daemon
    process = subprocess.Popen([binary, "--config-file", str(conf)], stdout=subprocess.DEVNULL, stderr=errors)
    try:
        for _ in range(600):  # until the daemon answers PING (it loads its database first)
            if process.poll() is not None:
                skip_or_fail("clamd did not start: " + (root / "clamd.stderr").read_text()[-300:])
            try:
                with socket.socket(socket.AF_UNIX) as client:
                    client.connect(str(sock))
                    client.sendall(b"zPING\0")
                    if client.recv(16).startswith(b"PONG"):
                        break
            except OSError:
                pass
            _sleep_a_little()
        else:
            skip_or_fail("clamd did not answer")
        yield str(sock)
    finally:
        process.terminate()
        process.wait(timeout=30)
        errors.close()


def _sleep_a_little() -> None:
    import time

    time.sleep(0.1)


def test_the_real_clamd_refuses_eicar_and_passes_a_clean_pdf(app_factory, make_user, clamd_socket, tmp_path):
    scanned = app_factory(CLAMD_SOCKET=clamd_socket)
    client = scanned.test_client()
    worker = make_user("case_worker", "UPTD_PPA")
    with scanned.app_context():
        ref = register(worker)
    headers = _token(scanned, worker)
    refused = _upload(client, headers, ref.uuid, EICAR, name="surat.pdf")
    assert refused.status_code == 400
    assert "Caseapp-Test-EICAR" in refused.json["fields"]["file"][0]
    clean = _upload(client, headers, ref.uuid, pdf())
    assert clean.status_code == 201 and clean.json["status"] == "clean"
    with scanned.app_context():
        row = db.session.scalar(db.select(Attachment))
        assert row.scanned_at is not None
        event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "attachment.refuse"))
        assert json.loads(event.details)["reason"] == "malware"

    # A file quarantined while the scanner was down is released by a rescan once it is back.
    down = app_factory(
        CLAMD_SOCKET=str(tmp_path / "down.sock"), ATTACHMENT_DIR=scanned.config["ATTACHMENT_DIR"]
    )
    waiting = _upload(down.test_client(), headers, ref.uuid, pdf(b"later")).json
    assert waiting["status"] == "quarantined"
    with scanned.app_context():
        assert attachments.rescan_quarantined() == {"clean": 1, "infected": 0, "waiting": 0}
        db.session.commit()
    assert client.get(f"/api/v1/attachments/{waiting['id']}", headers=headers).status_code == 200


# The S3-compatible store, against moto's S3 server on a local port.


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    yield f"http://127.0.0.1:{port}"
    server.stop()


def test_the_s3_store_keeps_only_ciphertext(app_factory, make_user, s3_endpoint):
    store = storage.S3Store("caseapp-test", s3_endpoint, "us-east-1")
    store.client.create_bucket(Bucket="caseapp-test")
    assert store.put("k1", [b"ab", b"cd"]) == 4 and store.get("k1") == b"abcd" and store.exists("k1")
    store.delete("k1")
    assert not store.exists("k1")
    with pytest.raises(storage.StorageError):
        store.get("k1")

    s3 = app_factory(
        ATTACHMENT_STORAGE="s3", ATTACHMENT_S3_BUCKET="caseapp-test", ATTACHMENT_S3_ENDPOINT=s3_endpoint
    )
    client = s3.test_client()
    worker = make_user("case_worker", "UPTD_PPA")
    with s3.app_context():
        ref = register(worker)
    headers = _token(s3, worker)
    item = _upload(client, headers, ref.uuid, pdf()).json
    raw = store.get(uuid.UUID(item["id"]).hex)
    assert raw.startswith(crypto.FILE_MAGIC) and CANARY not in raw
    got = client.get(f"/api/v1/attachments/{item['id']}", headers=headers)
    assert got.status_code == 200 and got.data == pdf()


# The web pages.


def test_the_case_page_uploads_and_a_refused_file_keeps_what_was_typed(app, client, case, people):
    login(client, people["worker"].username)
    url = f"/cases/{case.uuid}/attachments"
    refused = client.post(
        url,
        data={
            "attachment-file": (io.BytesIO(b"MZ" + b"\x00" * 300), "visum.pdf"),
            "attachment-kind": "visum",
            "attachment-description": "Canary typed description",
        },
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "Canary typed description" in page and "application/x-dosexec" in page
    done = client.post(
        url,
        data={"attachment-file": (io.BytesIO(pdf()), "visum.pdf"), "attachment-kind": "visum"},
        content_type="multipart/form-data",
    )
    files = f"/cases/{case.uuid}/section/attachments"
    assert done.status_code == 302 and done.headers["Location"].endswith(files + "#attachments")
    page = client.get(files).get_data(as_text=True)
    assert "visum.pdf" in page
    with app.app_context():
        row = db.session.scalar(db.select(Attachment))
    got = client.get(f"/attachments/{row.uuid}/download")
    assert got.status_code == 200 and got.data == pdf()
    assert got.headers["Content-Disposition"].startswith("attachment;")
    # Supervisors delete from the page; workers see no delete button.
    assert f"/attachments/{row.uuid}/delete" not in page
    client.post("/logout")
    login(client, people["spv"].username)
    assert f"/attachments/{row.uuid}/delete" in client.get(files).get_data(as_text=True)
    deleted = client.post(f"/attachments/{row.uuid}/delete", data={"reason": "salah unggah"})
    assert deleted.status_code == 302 and deleted.headers["Location"].endswith(files + "#attachments")
    assert "visum.pdf" not in client.get(files).get_data(as_text=True)


def test_the_admin_page_shows_storage_per_agency(app, client, case, w, make_user):
    _upload(client, w, case.uuid, pdf(b"z" * 5000))
    admin = make_user("admin", "DP3A")
    login(client, admin.username)
    page = client.get("/admin/agencies").get_data(as_text=True)
    assert 'data-testid="storage-UPTD_PPA">1 ' in page
    assert "Canary" not in page and "visum" not in page


def test_a_png_loses_its_text_chunks_and_a_fake_image_is_refused(app, client, case, w):
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "Canary PNG comment")
    out = io.BytesIO()
    Image.new("RGBA", (20, 10), (0, 0, 255, 128)).save(out, format="PNG", pnginfo=info)
    response = _upload(client, w, case.uuid, out.getvalue(), name="foto", kind="photo")
    assert response.status_code == 201, response.json
    assert response.json["name"] == "foto.png" and response.json["content_type"] == "image/png"
    got = client.get(f"/api/v1/attachments/{response.json['id']}", headers=w).data
    assert b"Canary PNG comment" not in got
    with Image.open(io.BytesIO(got)) as image:
        assert image.size == (20, 10) and image.mode == "RGBA"
    # A PNG signature in front of anything else is not an image.
    fake = _upload(client, w, case.uuid, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, name="x.png", kind="photo")
    assert fake.status_code == 400, fake.json


def test_only_a_supervisor_shares_a_restricted_childs_attachments(app, client, people):
    with app.app_context():
        restricted = register(
            people["worker"], incident__violence_types=["sexual"], incident__primary_violence_type="sexual"
        )
    w = _token(app, people["worker"])
    assert _refer(client, w, restricted.uuid, "DINSOS", ["incident", "attachments"]).status_code == 400
    spv = _token(app, people["spv"])
    assert _refer(client, spv, restricted.uuid, "DINSOS", ["incident", "attachments"]).status_code == 201


def test_a_rolled_back_upload_leaves_no_file_behind(app, case, people):
    from caseapp.models import Case, User
    from caseapp.schemas.attachments import AttachmentIn

    with app.test_request_context():
        actor = db.session.get(User, people["worker"].id)
        row = db.session.get(Case, case.id)
        attachments.upload(actor, row, AttachmentIn(kind="visum"), "v.pdf", io.BytesIO(pdf()))
        assert len(_store_files(app)) == 1
        db.session.rollback()
        assert _store_files(app) == []
        attachments.upload(
            actor, db.session.get(Case, case.id), AttachmentIn(kind="visum"), "v.pdf", io.BytesIO(pdf())
        )
        db.session.commit()
        db.session.rollback()
        assert len(_store_files(app)) == 1


def test_a_rolled_back_savepoint_removes_only_its_own_files(app, client, case, people, w):
    """A savepoint that rolls back removes the objects written inside it and no others; one released keeps
    its objects for the transaction around it, whose rollback removes them all."""
    from caseapp.models import Case, User
    from caseapp.schemas.attachments import AttachmentIn

    def put(name: str, extra: bytes) -> Attachment:
        actor = db.session.get(User, people["worker"].id)
        row = db.session.get(Case, case.id)
        return attachments.upload(actor, row, AttachmentIn(kind="visum"), name, io.BytesIO(pdf(extra)))

    def names() -> set[str]:
        return {path.name for path in _store_files(app)}

    with app.test_request_context():
        kept = put("kept.pdf", b"kept")
        savepoint = db.session.begin_nested()
        dropped = put("dropped.pdf", b"dropped")
        assert names() == {kept.object_key, dropped.object_key}
        savepoint.rollback()
        assert names() == {kept.object_key}  # the savepoint's own file only
        with pytest.raises(IntegrityError), db.session.begin_nested():  # as the retention job's savepoints
            failed = put("failed.pdf", b"failed")
            assert failed.object_key in names()
            db.session.add(DataKey(uuid=db.session.get(DataKey, kept.data_key_id).uuid))
            db.session.flush()  # a failed flush rolls the savepoint back before the block ends
        assert names() == {kept.object_key}
        db.session.commit()
        kept_id = kept.uuid

        first = put("first.pdf", b"first")
        savepoint = db.session.begin_nested()
        second = put("second.pdf", b"second")
        savepoint.commit()  # released: its file now belongs to the transaction around it
        assert names() == {kept.object_key, first.object_key, second.object_key}
        db.session.rollback()
        assert names() == {kept.object_key}

        late = put("late.pdf", b"late")
        savepoint = db.session.begin_nested()
        inner = put("inner.pdf", b"inner")
        savepoint.commit()
        db.session.commit()
        db.session.rollback()  # nothing left to roll back: the committed files stay
        assert names() == {kept.object_key, late.object_key, inner.object_key}
        late_id, inner_id = late.uuid, inner.uuid

    for uid, extra in ((kept_id, b"kept"), (late_id, b"late"), (inner_id, b"inner")):
        got = client.get(f"/api/v1/attachments/{uid}", headers=w)
        assert got.status_code == 200 and got.data == pdf(extra)
