"""Synthetic demo cases for Kota Kendari: believable enough to try every screen, about nobody real.

Every case goes through the same services as the web and the API (`CaseIn`, `register_case`,
`transition`, `add_note`, `add_service`), so its fields are encrypted, it gets a real case number and each
step writes its audit entry. Only the clock is moved: a registration is stamped "now" by the service, and
a demo case's incident lies in the past, so its registration, first contact, steps, notes and services are
dated back afterwards (consistently: first contact due = registration + the risk's due time). The audit log
keeps the true time of generation.

Every case is `is_demo=True`; its narrative starts with "[Data demo sintetis]".
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

from sqlalchemy import func, select

from caseapp.database import utcnow
from caseapp.errors import CaseappError
from caseapp.extensions import db
from caseapp.models import Agency, Case, CaseEvent, Region, User
from caseapp.models.case import AgeGroup, NoteKind, NoteVisibility, ServiceOutcome, age_group
from caseapp.schemas.base import parse_data
from caseapp.schemas.cases import AssignIn, CaseAction, CaseIn, NoteIn, ServiceIn, TransitionIn
from caseapp.security.permissions import Role
from caseapp.services import cases as case_service
from caseapp.services.demo import DEMO_ACCOUNTS

T = TypeVar("T")

BATCH_SIZE = 50
FIRST_START_CASES = 300
NARRATIVE_MARK = "[Data demo sintetis]"
DAYS_BACK = 548  # incidents over the last 18 months

# Owning agencies: the UPTD PPA carries most of the caseload.
AGENCY_WEIGHTS = (("UPTD_PPA", 50), ("POLRESTA", 22), ("DINSOS", 14), ("DP3A", 14))
WORKING_ROLES = (Role.CASE_WORKER.value, Role.SUPERVISOR.value)


class NoDemoWorkers(CaseappError):
    """There is nobody to register demo cases: no case worker or supervisor of a case-working agency."""

    status = 409
    code = "no_demo_workers"


# Names ---------------------------------------------------------------------------------------------------

GIRL_NAMES = (
    "Siti", "Nur", "Dewi", "Putri", "Aisyah", "Fitri", "Nurhaliza", "Aulia", "Salsabila", "Zahra", "Nabila",
    "Ayu", "Rini", "Wulan", "Indah", "Anisa", "Fadilah", "Syahrani", "Hasmira", "Hasniati", "Sitti",
    "Marwah", "Nurul", "Khairunnisa", "Yuliana", "Rosmini", "Wahyuni", "Intan", "Tenri", "Besse",
    "Asmaul", "Rahmawati", "Suci", "Nadia", "Amelia", "Sri", "Fatimah", "Jumriati", "Hamsinah", "Nirmala",
)  # fmt: skip
BOY_NAMES = (
    "Muhammad", "Ahmad", "Rizky", "Fadli", "Arif", "Rahmat", "Ilham", "Fajar", "Agus", "Hendra", "Syahrul",
    "Alif", "Dimas", "Farhan", "Reza", "Aldi", "Akbar", "Ikbal", "Haikal", "Rafli", "Bayu", "Yusuf",
    "Irfan", "Asrul", "Baso", "Ambo", "Jumadil", "Hasrul", "Saldi", "Firman", "Zulkifli", "Sahrir",
    "Risal", "Wahyu", "Aidil", "Fikri", "Nasrun", "Kadir", "Samsul", "Alfian",
)  # fmt: skip
WOMEN_NAMES = (
    "Hasnawati", "Sitti Aminah", "Nurlina", "Rosdiana", "Harmawati", "Sumarni", "Hartati", "Nurhayati",
    "Jusmiati", "Rahmatia", "Hasna", "Salmiah", "Wa Ode Nurhayati", "Megawati", "Darmawati", "Sukmawati",
)  # fmt: skip
MEN_NAMES = (
    "Hasanuddin", "Muh. Arsyad", "Abdul Rahman", "Syamsul Bahri", "Sudirman", "Jamaluddin", "Amiruddin",
    "Baharuddin", "Ridwan", "Hamzah", "Rusdin", "Muh. Said", "Asrun", "Sahidin", "Darwis", "Kasim",
)  # fmt: skip
TOLAKI_FAMILY = ("Tamburaka", "Lasandara", "Konggoasa", "Lasara", "Lapotende", "Silondae", "Sabara", "Lasata")
BUGIS_FAMILY = ("Mappasessu", "Pawennari", "Mallombasi", "Daeng Matutu", "Tahir", "Lamba", "Mustari")
GENERAL_FAMILY = (
    "Saputra", "Pratama", "Hidayat", "Setiawan", "Kurniawan", "Rahman", "Hamzah", "Ramadhan", "Syahrir",
    "Rasyid", "Kahar", "Salim", "Hakim", "Nugroho", "Wijaya", "Amiruddin",
)  # fmt: skip

STREETS = (
    "Jl. Ahmad Yani", "Jl. MT Haryono", "Jl. Saranani", "Jl. Abdullah Silondae", "Jl. Sao-Sao", "Jl. Malaka",
    "Jl. Chairil Anwar", "Jl. Edi Sabara", "Jl. HEA Mokodompit", "Jl. Mayjen S. Parman", "Jl. Diponegoro",
    "Jl. Pierre Tendean", "Jl. Jend. Sudirman", "Jl. Orinunggu", "Jl. Laute", "Jl. Kijang", "Jl. Bunggasi",
    "Jl. Made Sabara", "Jl. Ruruhi", "Jl. Y. Wayong", "Jl. Syekh Yusuf", "Jl. Tebaununggu",
    "Jl. Lumba-Lumba", "Jl. Kancil", "Jl. Bunga Kolosua", "Jl. Bunga Seroja", "Jl. Budi Utomo",
    "Jl. La Ode Hadi", "Jl. Wolter Monginsidi", "Jl. Dr. Sutomo", "Jl. Lasolo", "Jl. Wua-Wua Raya",
    "Jl. Pasaeno", "Jl. Poros Bandara Haluoleo",
)  # fmt: skip
LANES = ("Mawar", "Melati", "Anggrek", "Cempaka", "Kenanga", "Damai", "Sepakat", "Harapan", "Rambutan")
HOUSING = (
    "BTN Kendari Permai",
    "BTN Griya Alam Permai",
    "Perumnas Poasia",
    "BTN Asrama Haji",
    "BTN Lepo Indah",
)
PHONE_PREFIXES = ("0811", "0812", "0813", "0821", "0822", "0823", "0852", "0853", "0857", "0877", "0895")

# Kecamatan weights (roughly by population); codes are Kemendagri's 74.71.xx.
KECAMATAN_WEIGHTS = {
    "74.71.01": 11,  # Mandonga
    "74.71.02": 7,  # Kendari
    "74.71.03": 9,  # Baruga
    "74.71.04": 12,  # Poasia
    "74.71.05": 11,  # Kendari Barat
    "74.71.06": 6,  # Abeli
    "74.71.07": 9,  # Wua-Wua
    "74.71.08": 10,  # Kadia
    "74.71.09": 10,  # Puuwatu
    "74.71.10": 10,  # Kambu
    "74.71.11": 5,  # Nambo
}

# Case content ----------------------------------------------------------------------------------------------

VIOLENCE_WEIGHTS = (
    ("sexual", 35),
    ("physical", 25),
    ("psychological", 20),
    ("neglect", 10),
    ("exploitation", 4),
    ("trafficking", 2),
    ("other", 4),
)
SECOND_TYPE = {
    "sexual": ("psychological", "physical"),
    "physical": ("psychological", "neglect"),
    "psychological": ("physical",),
    "neglect": ("psychological", "physical"),
    "exploitation": ("neglect", "psychological"),
    "trafficking": ("exploitation", "sexual"),
    "other": ("psychological",),
}
GIRL_SHARE = {
    "sexual": 0.82,
    "physical": 0.45,
    "psychological": 0.55,
    "neglect": 0.5,
    "exploitation": 0.45,
    "trafficking": 0.75,
    "other": 0.5,
}
AMPK_OF = {
    "sexual": "sexual_crime_victim",
    "physical": "physical_psychological_violence",
    "psychological": "physical_psychological_violence",
    "neglect": "maltreatment_neglect",
    "exploitation": "economic_sexual_exploitation",
    "trafficking": "abduction_trafficking",
}
# Age at the incident: skewed towards school age and teenagers; neglect towards the youngest.
AGE_WEIGHTS = (1, 1, 1.5, 2, 2.5, 3, 4, 4.5, 5, 5.5, 6, 6.5, 7, 8, 9, 9.5, 9, 7)
YOUNG_AGE_WEIGHTS = (4, 5, 5, 5, 5, 5, 5, 5, 4, 4, 3, 3, 3, 2, 2, 1, 1, 1)
PLACE_WEIGHTS = {
    "sexual": (("household", 45), ("public_facility", 15), ("online", 12), ("school", 10), ("other", 18)),
    "physical": (("household", 60), ("school", 18), ("public_facility", 15), ("other", 7)),
    "psychological": (("household", 50), ("school", 25), ("online", 15), ("other", 10)),
    "neglect": (("household", 90), ("other", 10)),
    "exploitation": (("workplace", 45), ("public_facility", 40), ("online", 15)),
    "trafficking": (("online", 35), ("workplace", 25), ("other", 40)),
    "other": (("public_facility", 50), ("school", 25), ("other", 25)),
}
PERPETRATOR_WEIGHTS = {
    "sexual": (
        ("partner_friend", 25),
        ("neighbour", 20),
        ("relative", 15),
        ("step_parent", 12),
        ("stranger", 10),
        ("parent", 5),
        ("teacher", 5),
        ("other", 8),
    ),
    "physical": (
        ("parent", 35),
        ("step_parent", 15),
        ("relative", 10),
        ("teacher", 10),
        ("partner_friend", 10),
        ("neighbour", 10),
        ("stranger", 5),
        ("other", 5),
    ),
    "psychological": (
        ("parent", 35),
        ("partner_friend", 20),
        ("step_parent", 10),
        ("relative", 10),
        ("teacher", 10),
        ("other", 15),
    ),
    "neglect": (("parent", 70), ("relative", 15), ("step_parent", 15)),
    "exploitation": (("employer", 40), ("relative", 20), ("parent", 20), ("other", 20)),
    "trafficking": (("stranger", 30), ("partner_friend", 20), ("other", 30), ("relative", 20)),
    "other": (("other", 40), ("neighbour", 30), ("relative", 30)),
}
PERPETRATOR_KNOWN = {
    "sexual": 0.8,
    "physical": 0.8,
    "psychological": 0.6,
    "neglect": 0.85,
    "exploitation": 0.7,
    "trafficking": 0.6,
    "other": 0.4,
}
PERPETRATOR_MALE = {"sexual": 0.96, "physical": 0.7, "neglect": 0.5, "psychological": 0.55}
RELATION_LABEL = {
    ("parent", "M"): "ayah kandung",
    ("parent", "F"): "ibu kandung",
    ("step_parent", "M"): "ayah tiri",
    ("step_parent", "F"): "ibu tiri",
    ("relative", "M"): "paman",
    ("relative", "F"): "tante",
    ("partner_friend", "M"): "teman dekat",
    ("partner_friend", "F"): "teman sebaya",
    ("neighbour", "M"): "tetangga",
    ("neighbour", "F"): "tetangga",
    ("teacher", "M"): "guru",
    ("teacher", "F"): "guru",
    ("employer", "M"): "majikan",
    ("employer", "F"): "majikan",
    ("stranger", "M"): "orang tidak dikenal",
    ("stranger", "F"): "orang tidak dikenal",
    ("other", "M"): "kenalan",
    ("other", "F"): "kenalan",
}
FAMILY = ("parent", "step_parent", "relative")
OUTSIDERS = ("partner_friend", "stranger", "other", "neighbour", None)
# (text, perpetrator relationships it fits (empty: any, None: unknown perpetrator), youngest age, oldest age)
NARRATIVES: dict[str, tuple[tuple[str, tuple[str | None, ...], int, int], ...]] = {
    "sexual": (
        (
            "Anak diduga mengalami kekerasan seksual oleh {pelaku}. Kejadian diketahui setelah anak "
            "bercerita kepada {pelapor}. Anak tampak murung dan takut keluar rumah.",
            (),
            0,
            17,
        ),
        (
            "Pihak keluarga menemukan pesan bernada seksual dan ajakan bertemu dari {pelaku} yang dikenal "
            "anak melalui media sosial. Anak sempat bertemu pelaku satu kali.",
            ("partner_friend", "stranger", "other", None),
            11,
            17,
        ),
        (
            "Anak mengaku disentuh secara tidak pantas oleh {pelaku} saat sendirian di rumah. Keluarga "
            "melapor setelah melihat perubahan perilaku anak.",
            ("neighbour", "relative", "step_parent", "parent"),
            3,
            17,
        ),
    ),
    "physical": (
        (
            "Anak mengalami memar di lengan dan punggung yang diduga akibat pemukulan oleh {pelaku}. "
            "Tetangga mendengar keributan dan melapor.",
            FAMILY,
            0,
            17,
        ),
        (
            "Anak dipukul dengan rotan oleh {pelaku} karena dianggap tidak menurut. Terdapat bekas luka di "
            "kaki.",
            (*FAMILY, "teacher"),
            4,
            17,
        ),
        (
            "Anak dikeroyok sekelompok remaja sepulang sekolah; wali kelas membawa anak ke puskesmas.",
            OUTSIDERS,
            9,
            17,
        ),
    ),
    "psychological": (
        (
            "Anak sering dimarahi, dihina dan diancam akan diusir dari rumah oleh {pelaku}. Anak menjadi "
            "pendiam dan sulit tidur.",
            FAMILY,
            3,
            17,
        ),
        (
            "Anak menjadi korban perundungan berulang di sekolah dan di media sosial; nilai menurun dan anak "
            "menolak masuk sekolah.",
            (*OUTSIDERS, "teacher"),
            8,
            17,
        ),
        (
            "Anak sering menyaksikan pertengkaran dan kekerasan antara orang tuanya; anak menjadi "
            "penakut dan mudah menangis.",
            (),
            0,
            17,
        ),
    ),
    "neglect": (
        (
            "Anak sering ditinggal sendiri tanpa pengasuhan dan makan yang cukup; orang tua bekerja di luar "
            "daerah. Anak sering tidak masuk sekolah karena tidak ada yang mengurus.",
            (),
            7,
            17,
        ),
        (
            "Anak ditemukan berkeliaran malam hari di sekitar pasar; keluarga tidak memantau dan anak belum "
            "memiliki akta kelahiran.",
            (),
            6,
            17,
        ),
        (
            "Anak balita sering ditinggal tanpa pengawasan orang dewasa; menurut catatan posyandu berat "
            "badan anak di bawah normal.",
            (),
            0,
            5,
        ),
    ),
    "exploitation": (
        (
            "Anak dipekerjakan berjualan hingga larut malam di kawasan Kendari Beach dan penghasilannya "
            "diambil oleh {pelaku}.",
            (),
            6,
            17,
        ),
        (
            "Anak bekerja di tempat pencucian kendaraan lebih dari delapan jam sehari dan sering tidak "
            "masuk sekolah.",
            (),
            10,
            17,
        ),
        (
            "Anak diajak meminta-minta di persimpangan jalan oleh {pelaku} hampir setiap hari.",
            (),
            0,
            12,
        ),
    ),
    "trafficking": (
        (
            "Anak dijanjikan pekerjaan di luar daerah oleh {pelaku}; keluarga kehilangan kontak "
            "beberapa hari sebelum anak ditemukan di pelabuhan.",
            (),
            0,
            17,
        ),
    ),
    "other": (
        (
            "Anak terlibat perkelahian antarkelompok remaja dan membutuhkan pendampingan psikososial.",
            (),
            12,
            17,
        ),
        (
            "Anak terpapar konten kekerasan dan perjudian daring; keluarga meminta pendampingan.",
            (),
            0,
            17,
        ),
    ),
}


def _narrative(rng: random.Random, violence: str, relationship: str | None, age: int) -> str:
    options = NARRATIVES[violence]
    fitting = [
        text for text, fits, lo, hi in options if (not fits or relationship in fits) and lo <= age <= hi
    ]
    return rng.choice(fitting) if fitting else options[0][0]


CHANNEL_WEIGHTS = {
    "UPTD_PPA": (
        ("walk_in", 30),
        ("whatsapp", 16),
        ("referral_in", 14),
        ("sapa129", 10),
        ("phone", 8),
        ("school", 6),
        ("outreach", 6),
        ("online", 6),
    ),
    "DP3A": (
        ("walk_in", 25),
        ("whatsapp", 20),
        ("sapa129", 20),
        ("online", 15),
        ("phone", 10),
        ("school", 6),
    ),
    "POLRESTA": (("walk_in", 70), ("referral_in", 20), ("phone", 10)),
    "DINSOS": (("outreach", 40), ("referral_in", 35), ("walk_in", 15), ("phone", 10)),
}
RISK_WEIGHTS = {
    "sexual": (("high", 50), ("medium", 40), ("low", 10)),
    "trafficking": (("high", 60), ("medium", 35), ("low", 5)),
    "physical": (("high", 25), ("medium", 50), ("low", 25)),
    "psychological": (("high", 10), ("medium", 45), ("low", 45)),
}
DEFAULT_RISK = (("high", 20), ("medium", 50), ("low", 30))

# Lifecycle: what a case has become, by how long ago it was registered.
STATUS_WEIGHTS_RECENT = (("new", 60), ("assessment", 35), ("cancelled", 5))  # under a week
STATUS_WEIGHTS_MONTH = (
    ("new", 15),
    ("assessment", 35),
    ("intervention", 40),
    ("monitoring", 5),
    ("cancelled", 5),
)
STATUS_WEIGHTS_OLDER = (
    ("new", 7),
    ("assessment", 16),
    ("intervention", 30),
    ("monitoring", 19),
    ("closed", 20),
    ("cancelled", 4),
)
CLOSURE_WEIGHTS = (
    ("needs_met", 55),
    ("declined_services", 10),
    ("lost_contact", 12),
    ("transferred", 10),
    ("moved_away", 8),
)
CANCEL_REASONS = (("duplicate", 40), ("not_a_case", 35), ("not_our_mandate", 25))

NOTE_TEXTS = {
    NoteKind.VISIT.value: (
        "Kunjungan rumah di Kelurahan {kel}. Anak dalam kondisi sehat dan mau berbicara; {wali} kooperatif "
        "dan bersedia mengikuti rencana layanan.",
        "Kunjungan ke rumah anak di Kelurahan {kel}. Situasi rumah kondusif, anak tinggal bersama {wali}. "
        "Disepakati jadwal pendampingan berikutnya.",
        "Kunjungan bersama pekerja sosial ke sekolah anak; wali kelas melaporkan kehadiran anak membaik.",
    ),
    NoteKind.CALL.value: (
        "Menghubungi {wali} melalui telepon untuk menjadwalkan sesi konseling berikutnya.",
        "Telepon ke wali kelas untuk memantau kehadiran dan perilaku anak di sekolah.",
        "Telepon ke {wali} tidak diangkat; dikirim pesan WhatsApp dan akan dicoba kembali.",
    ),
    NoteKind.COUNSELLING.value: (
        "Sesi konseling individu bersama psikolog UPTD PPA. Anak mulai terbuka, masih tampak cemas saat "
        "membahas kejadian.",
        "Konseling keluarga bersama {wali} tentang pengasuhan tanpa kekerasan dan pemantauan anak.",
        "Sesi konseling lanjutan; anak sudah tidur lebih nyenyak dan kembali bermain dengan teman.",
    ),
    NoteKind.COORDINATION.value: (
        "Koordinasi dengan penyidik Unit PPA Polresta Kendari terkait jadwal pemeriksaan anak dengan "
        "pendampingan.",
        "Koordinasi dengan puskesmas di Kelurahan {kel} untuk pemeriksaan kesehatan lanjutan.",
        "Rapat koordinasi kasus dengan Dinas Sosial dan pihak sekolah tentang rencana reintegrasi anak.",
        "Koordinasi dengan UPTD PPA Kota Kendari untuk pendampingan psikologis anak selama proses hukum.",
    ),
}
# What a note must not say for a case: own agency named as a partner, school for a child without one.
NOTE_AVOID = {"POLRESTA": "Polresta", "UPTD_PPA": "dengan UPTD PPA", "DINSOS": "dengan Dinas Sosial"}
NOTE_KIND_WEIGHTS = (("visit", 30), ("call", 30), ("counselling", 20), ("coordination", 20))

SERVICE_PROVIDER = {
    "complaint_handling": "UPTD_PPA",
    "health": "DINKES",
    "legal_aid": "LBH",
    "law_enforcement": "POLRESTA",
    "social_rehabilitation": "DINSOS",
    "social_reintegration": "DINSOS",
    "repatriation": "DINSOS",
    "religious_support": "KEMENAG",
}
SERVICES_FOR = {
    "sexual": ("health", "law_enforcement", "legal_aid", "social_rehabilitation", "religious_support"),
    "physical": ("health", "law_enforcement", "social_rehabilitation", "legal_aid"),
    "psychological": ("health", "social_rehabilitation", "religious_support"),
    "neglect": ("social_rehabilitation", "health", "social_reintegration"),
    "exploitation": ("social_rehabilitation", "social_reintegration", "law_enforcement"),
    "trafficking": ("repatriation", "law_enforcement", "social_rehabilitation", "health"),
    "other": ("social_rehabilitation", "religious_support"),
}
SERVICE_NOTES = {
    "complaint_handling": "Pengaduan diterima dan asesmen awal kebutuhan anak dilakukan.",
    "health": "Pemeriksaan kesehatan dan visum di RSUD Kota Kendari; rujukan ke psikolog.",
    "legal_aid": "Pendampingan hukum oleh advokat mitra selama proses pemeriksaan.",
    "law_enforcement": "Laporan polisi dibuat; pemeriksaan anak didampingi petugas UPTD PPA.",
    "social_rehabilitation": "Anak ditempatkan sementara di rumah aman dan mengikuti kegiatan pemulihan.",
    "social_reintegration": "Anak kembali ke keluarga dan sekolah dengan pemantauan pekerja sosial.",
    "repatriation": "Pemulangan anak ke keluarga di Kendari difasilitasi Dinas Sosial.",
    "religious_support": "Pendampingan rohani oleh penyuluh agama Kemenag Kota Kendari.",
}
OUTCOME_OPEN = (("provided", 45), ("ongoing", 45), ("refused", 5), ("not_available", 5))
OUTCOME_DONE = (("provided", 85), ("refused", 8), ("not_available", 7))


# Helpers -------------------------------------------------------------------------------------------------


def _pick(rng: random.Random, weighted: Sequence[tuple[T, float]]) -> T:
    values = [v for v, _ in weighted]
    weights = [w for _, w in weighted]
    return rng.choices(values, weights=weights, k=1)[0]


def _years_between(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _phone(rng: random.Random) -> str:
    return f"{rng.choice(PHONE_PREFIXES)}-{rng.randint(0, 9999):04d}-{rng.randint(0, 9999):04d}"


def _address(rng: random.Random) -> str:
    rt, rw = rng.randint(1, 12), rng.randint(1, 6)
    roll = rng.random()
    if roll < 0.15:
        return f"{rng.choice(HOUSING)} Blok {rng.choice('ABCDEFG')} No. {rng.randint(1, 40)}"
    street = rng.choice(STREETS)
    if roll < 0.45:
        street += f" Lr. {rng.choice(LANES)}"
    return f"{street} No. {rng.randint(1, 120)}, RT {rt:03d}/RW {rw:03d}"


@dataclass
class _Family:
    """How a family's names are built (Buton/Muna, Bugis, Tolaki or general Indonesian)."""

    style: str
    family_name: str
    noble: bool  # La Ode / Wa Ode, Andi


def _family(rng: random.Random) -> _Family:
    style = _pick(rng, (("buton_muna", 25), ("bugis", 20), ("tolaki", 20), ("general", 35)))
    if style == "tolaki":
        return _Family(style, rng.choice(TOLAKI_FAMILY), False)
    if style == "bugis":
        return _Family(style, rng.choice(BUGIS_FAMILY), rng.random() < 0.4)
    if style == "buton_muna":
        return _Family(style, "", rng.random() < 0.6)
    return _Family(style, rng.choice(GENERAL_FAMILY) if rng.random() < 0.6 else "", False)


def _child_name(rng: random.Random, fam: _Family, sex: str) -> str:
    given = GIRL_NAMES if sex == "F" else BOY_NAMES
    first = rng.choice(given)
    second = rng.choice([n for n in given if n != first]) if rng.random() < 0.55 else ""
    parts: list[str] = []
    if fam.style == "buton_muna":
        parts.append(("Wa Ode" if sex == "F" else "La Ode") if fam.noble else ("Wa" if sex == "F" else "La"))
    elif fam.style == "bugis" and fam.noble:
        parts.append("Andi")
    parts += [first, second, fam.family_name if rng.random() < 0.7 else ""]
    return " ".join(p for p in parts if p)


def _adult_name(rng: random.Random, fam: _Family | None, sex: str) -> str:
    name = rng.choice(WOMEN_NAMES if sex == "F" else MEN_NAMES)
    if fam is None:
        extra = rng.choice(GENERAL_FAMILY + TOLAKI_FAMILY) if rng.random() < 0.5 else ""
        return f"{name} {extra}".strip()
    if fam.style == "buton_muna" and not name.startswith("Wa "):
        prefix = ("Wa Ode" if sex == "F" else "La Ode") if fam.noble else ("Wa" if sex == "F" else "La")
        return f"{prefix} {name}"
    if fam.style == "bugis" and fam.noble and sex == "M":
        return f"Andi {name} {fam.family_name}"
    return f"{name} {fam.family_name}".strip() if sex == "M" else name


def _given(name: str) -> str:
    """Return the first word of a name after the titles (La Ode, Wa, Andi)."""
    words = [w for w in name.split() if w not in ("La", "Wa", "Ode", "Andi", "Muh.")]
    return words[0] if words else name


def _school(rng: random.Random, age: int, violence: str) -> str:
    if age < 4 or (
        violence in ("exploitation", "neglect", "trafficking") and age >= 10 and rng.random() < 0.4
    ):
        return ""
    if age < 6:
        return rng.choice(("TK Pertiwi Kendari", "PAUD Melati Kendari", "")) if rng.random() < 0.5 else ""
    if age <= 12:
        return rng.choice(
            (f"SD Negeri {rng.randint(1, 90)} Kendari", "SD Muhammadiyah Kendari", "MIN 1 Kendari")
        )
    if age <= 15:
        return rng.choice((f"SMP Negeri {rng.randint(1, 23)} Kendari", "MTs Negeri 1 Kendari"))
    return rng.choice(
        (
            f"SMA Negeri {rng.randint(1, 11)} Kendari",
            f"SMK Negeri {rng.randint(1, 6)} Kendari",
            "MAN 1 Kendari",
        )
    )


# Who works the cases -------------------------------------------------------------------------------------


@dataclass
class _Staff:
    agency_code: str
    workers: list[User]
    supervisors: list[User]


def _load_staff() -> dict[str, _Staff]:
    """Return the active case workers and supervisors of each case-working agency (demo accounts first)."""
    codes = [code for code, _ in AGENCY_WEIGHTS]
    stmt = (
        select(User)
        .join(Agency, User.agency_id == Agency.id)
        .where(User.active.is_(True), User.role.in_(WORKING_ROLES), Agency.code.in_(codes))
        .order_by(User.id)
    )
    people = list(db.session.scalars(stmt))
    demo_names = {username for username, *_ in DEMO_ACCOUNTS}
    demo_people = [u for u in people if u.username in demo_names]
    if demo_people:
        people = demo_people  # never put synthetic cases on real staff's desks when the demo team exists
    staff: dict[str, _Staff] = {}
    for code in codes:
        mine = [u for u in people if u.agency.code == code]
        workers = [u for u in mine if u.role == Role.CASE_WORKER.value]
        supervisors = [u for u in mine if u.role == Role.SUPERVISOR.value]
        if workers or supervisors:
            staff[code] = _Staff(code, workers or supervisors, supervisors)
    return staff


def demo_team_exists() -> bool:
    """Say whether any of the demo case workers or supervisors exists (and is active)."""
    names = [u for u, _name, role, _agency in DEMO_ACCOUNTS if role in WORKING_ROLES]
    stmt = select(User.id).where(User.username.in_(names), User.active.is_(True)).limit(1)
    return db.session.scalar(stmt) is not None


def first_start_wanted() -> bool:
    """Say whether `setup` should load demo cases: no case at all yet, and the demo team exists."""
    has_case = db.session.scalar(select(func.count()).select_from(Case)) or 0
    return not has_case and demo_team_exists()


# One case ------------------------------------------------------------------------------------------------


@dataclass
class _Kelurahan:
    code: str
    name: str
    kecamatan: str


@dataclass
class _Plan:
    """Everything decided about one case before it is registered."""

    body: dict[str, Any]
    agency: str
    created_at: datetime
    dob: date | None
    target: str
    violence: str
    guardian: str
    kelurahan_name: str


def _party(role: str, name: str, relationship: str | None, sex: str | None, **extra: Any) -> dict[str, Any]:
    return {"role": role, "name": name, "relationship": relationship, "sex": sex, **extra}


def _plan_case(
    rng: random.Random, now: datetime, places: list[_Kelurahan], staff: dict[str, _Staff], niks: set[str]
) -> _Plan:
    agency = _pick(rng, [(code, w) for code, w in AGENCY_WEIGHTS if code in staff])
    violence = _pick(rng, VIOLENCE_WEIGHTS)
    types = [violence]
    if rng.random() < 0.25:
        types.append(rng.choice(SECOND_TYPE[violence]))
    sex = "F" if rng.random() < GIRL_SHARE[violence] else "M"

    # When: incidents over the last 18 months (a little more recent), reported days to weeks later.
    days_ago = int(DAYS_BACK * rng.random() ** 1.15)
    incident = (now - timedelta(days=days_ago)).date()
    if violence == "sexual":
        delay = _pick(rng, (((0, 2), 40), ((3, 14), 35), ((15, 60), 25)))
    else:
        delay = _pick(rng, (((0, 2), 60), ((3, 14), 30), ((15, 45), 10)))
    # Every draw is taken whatever the clock says, so a seed gives the same cases at any time of day.
    delay_days = rng.randint(*delay)
    office_minutes = rng.randint(0, 9 * 60)  # 08:00-17:00 WITA is 00:00-09:00 UTC
    recent_minutes = rng.randint(5, 180)
    registered = datetime.combine(incident + timedelta(days=delay_days), time()) + timedelta(
        minutes=office_minutes
    )
    if registered > now - timedelta(minutes=5):
        registered = now - timedelta(minutes=recent_minutes)
    registered = min(max(registered, datetime.combine(incident, time())), now)

    # The child: age at the incident, date of birth, NIK (about 30% have none recorded).
    weights = YOUNG_AGE_WEIGHTS if violence == "neglect" else AGE_WEIGHTS
    age = rng.choices(range(18), weights=weights, k=1)[0]
    dob = incident - timedelta(days=int(age * 365.25) + rng.randint(1, 360))
    if _years_between(dob, incident) >= 18:
        dob += timedelta(days=2)
    per_kecamatan: dict[str, int] = {}
    for k in places:
        per_kecamatan[k.kecamatan] = per_kecamatan.get(k.kecamatan, 0) + 1
    home = _pick(
        rng, [(k, KECAMATAN_WEIGHTS.get(k.kecamatan, 5) / per_kecamatan[k.kecamatan]) for k in places]
    )
    nik = None
    if rng.random() < 0.7:
        day = dob.day + (40 if sex == "F" else 0)
        kec = home.code.split(".")[2]
        for _attempt in range(20):
            candidate = f"7471{kec}{day:02d}{dob:%m%y}{rng.randint(1, 2999):04d}"
            if candidate not in niks:
                niks.add(candidate)
                nik = candidate
                break
    known_dob = nik is not None or rng.random() < 0.5
    fam = _family(rng)
    child_name = _child_name(rng, fam, sex)
    home_address = _address(rng)
    child: dict[str, Any] = {
        "name": child_name,
        "nik": nik,
        "sex": sex,
        "date_of_birth": dob.isoformat() if known_dob else None,
        "age": None if known_dob else max(0, min(17, _years_between(dob, registered.date()))),
        "disability": rng.random() < 0.04,
        "address": home_address,
        "kelurahan": home.code,
        "school": _school(rng, age, violence),
    }

    # The people around the child.
    parties: list[dict[str, Any]] = []
    perpetrator_rel = None
    perpetrator_sex = "M"
    pelaku = "pelaku"
    if rng.random() < PERPETRATOR_KNOWN[violence]:
        perpetrator_rel = _pick(rng, PERPETRATOR_WEIGHTS[violence])
        perpetrator_sex = "M" if rng.random() < PERPETRATOR_MALE.get(violence, 0.6) else "F"
        pelaku = RELATION_LABEL[(perpetrator_rel, perpetrator_sex)]
        peer = perpetrator_rel == "partner_friend" and rng.random() < 0.6
        stranger = perpetrator_rel == "stranger"
        if stranger:
            perpetrator_name = ""  # unknown to the family
        elif peer:
            perpetrator_name = _child_name(rng, _family(rng), perpetrator_sex)
        else:
            own = fam if perpetrator_rel in ("parent", "relative") else None
            perpetrator_name = _adult_name(rng, own, perpetrator_sex)
        parties.append(
            _party(
                "perpetrator",
                perpetrator_name,
                perpetrator_rel,
                perpetrator_sex,
                age_group=AgeGroup.AGE_13_17.value if peer else AgeGroup.ADULT.value,
                address="" if stranger or rng.random() < 0.5 else _address(rng),
            )
        )
    # The guardian: the parent who is not the perpetrator, or a relative.
    if perpetrator_rel == "parent":
        guardian_sex = "F" if perpetrator_sex == "M" else "M"
        guardian_rel = "parent" if rng.random() < 0.7 else "relative"
    else:
        guardian_sex = "F" if rng.random() < 0.65 else "M"
        guardian_rel = "parent" if rng.random() < 0.8 else "relative"
    guardian_name = _adult_name(rng, fam, guardian_sex)
    taken = {_given(p["name"]) for p in parties if p["name"]}
    for _attempt in range(5):  # a guardian and a perpetrator do not share a given name
        if _given(guardian_name) not in taken:
            break
        guardian_name = _adult_name(rng, fam, guardian_sex)
    guardian_phone = _phone(rng)
    parties.insert(
        0,
        _party(
            "guardian",
            guardian_name,
            guardian_rel,
            guardian_sex,
            phone=guardian_phone,
            address=home_address,
            age_group=AgeGroup.ADULT.value,
        ),
    )
    wali = {("parent", "F"): "ibu anak", ("parent", "M"): "ayah anak"}.get(
        (guardian_rel, guardian_sex), "wali anak"
    )
    # The reporter: often the guardian, else a teacher, neighbour, relative or community figure.
    reporter_kind = _pick(
        rng, (("guardian", 47), ("teacher", 12), ("neighbour", 15), ("relative", 13), ("other", 13))
    )
    if reporter_kind == "guardian":
        parties.append(_party("reporter", guardian_name, guardian_rel, guardian_sex, phone=guardian_phone))
        pelapor = wali
    else:
        rep_sex = "F" if rng.random() < 0.55 else "M"
        parties.append(
            _party("reporter", _adult_name(rng, None, rep_sex), reporter_kind, rep_sex, phone=_phone(rng))
        )
        pelapor = {"teacher": "guru di sekolah", "neighbour": "tetangga", "relative": "kerabat"}.get(
            reporter_kind, "ketua RT setempat"
        )
    if rng.random() < 0.2:
        wit_sex = "F" if rng.random() < 0.5 else "M"
        if rng.random() < 0.4:
            parties.append(
                _party(
                    "witness",
                    _child_name(rng, _family(rng), wit_sex),
                    "partner_friend",
                    wit_sex,
                    age_group=AgeGroup.AGE_13_17.value if age >= 12 else AgeGroup.AGE_6_12.value,
                )
            )
        else:
            parties.append(
                _party(
                    "witness",
                    _adult_name(rng, None, wit_sex),
                    rng.choice(("neighbour", "relative")),
                    wit_sex,
                    phone=_phone(rng),
                )
            )

    ampk = [AMPK_OF[t] for t in types if t in AMPK_OF]
    if child["disability"]:
        ampk.append("disability")
    channel = (
        "school" if reporter_kind == "teacher" and rng.random() < 0.6 else _pick(rng, CHANNEL_WEIGHTS[agency])
    )
    narrative = _narrative(rng, violence, perpetrator_rel, age).format(pelaku=pelaku, pelapor=pelapor)
    incident_place = home if rng.random() < 0.8 else rng.choice(places)
    body = {
        "child": child,
        "incident": {
            "date": incident.isoformat(),
            "date_is_approximate": rng.random() < 0.15,
            "kelurahan": incident_place.code,
            "place": _pick(rng, PLACE_WEIGHTS[violence]),
            "violence_types": list(dict.fromkeys(types)),
            "primary_violence_type": violence,
            "ampk": list(dict.fromkeys(ampk)),
            "narrative": f"{NARRATIVE_MARK} {narrative}",
        },
        "parties": parties,
        "channel": channel,
        "risk_level": _pick(rng, RISK_WEIGHTS.get(violence, DEFAULT_RISK)),
    }

    # What the case has become by now.
    age_days = days_ago - delay_days  # in whole days, not by the clock (see above)
    if age_days < 7:
        target = _pick(rng, STATUS_WEIGHTS_RECENT)
    elif age_days < 30:
        target = _pick(rng, STATUS_WEIGHTS_MONTH)
    else:
        target = _pick(rng, STATUS_WEIGHTS_OLDER)
    return _Plan(
        body=body,
        agency=agency,
        created_at=registered,
        dob=dob if known_dob else None,
        target=target,
        violence=violence,
        guardian=wali,
        kelurahan_name=home.name,
    )


def _times_between(
    rng: random.Random, start: datetime, end: datetime, count: int, skew: float = 1.6
) -> list[datetime]:
    """Return `count` sorted moments in (start, end], bunched towards the start (work is busiest early)."""
    span = max((end - start).total_seconds(), 60.0)
    return sorted(start + timedelta(seconds=max(30.0, span * rng.random() ** skew)) for _ in range(count))


def _note_text(rng: random.Random, kind: str, plan: _Plan) -> str:
    avoid = NOTE_AVOID.get(plan.agency)
    has_school = bool(plan.body["child"]["school"])
    options = [
        t
        for t in NOTE_TEXTS[kind]
        if (avoid is None or avoid not in t) and (has_school or not ("sekolah" in t or "wali kelas" in t))
    ]
    return rng.choice(options or list(NOTE_TEXTS[kind]))


# Days from one step to the next (low, high), before squeezing into the time the case has had.
STEP_DAYS = {
    "start_assessment": (0.1, 7),
    "start_intervention": (2, 30),
    "start_monitoring": (30, 120),
    "request_closure": (14, 120),
    "approve_closure": (0.2, 10),
    "cancel": (0.1, 14),
}


def _step_times(rng: random.Random, start: datetime, end: datetime, path: list[str]) -> list[datetime]:
    """Return when each step happened: typical gaps, squeezed when the case is younger than they add up to."""
    gaps = [rng.uniform(*STEP_DAYS[action]) for action in path]
    available = max((end - start).total_seconds() / 86400, 0.001)
    total = sum(gaps)
    squeeze = rng.uniform(0.5, 0.95)
    if total > available:
        scale = available * squeeze / total
        gaps = [g * scale for g in gaps]
    times, at = [], start
    for gap in gaps:
        at = at + timedelta(days=gap)
        times.append(min(at, end))
    return times


def _build_case(rng: random.Random, now: datetime, plan: _Plan, staff: _Staff) -> Case:
    """Register the planned case and take it through its life, dated back to when it happened."""
    actor = rng.choice(staff.workers)
    value = parse_data(CaseIn, plan.body, strict=False)
    case = case_service.register_case(actor, value, is_demo=True).case
    created = plan.created_at
    case.created_at = created
    case.updated_at = created
    case.first_contact_due_at = created + case_service.FIRST_CONTACT_DUE[case.risk_level]
    if plan.dob is not None:  # "age at registration": the registration is in the past
        case.child_age = _years_between(plan.dob, created.date())
        case.child_age_group = age_group(case.child_age)
    db.session.flush()
    event_times = [created]
    last = created

    def step(action: str, at: datetime, reason: str | None = None, by: User = actor) -> None:
        nonlocal last
        case_service.transition(
            by, case, TransitionIn(action=CaseAction(action), reason=reason, version=case.version)
        )
        event_times.append(at)
        last = max(last, at)

    # Sometimes the supervisor puts a second worker of the agency on the team at once.
    supervisor = rng.choice(staff.supervisors) if staff.supervisors else None
    others = [u for u in staff.workers if u.id != actor.id]
    if supervisor is not None and others and rng.random() < 0.25:
        team = [rng.choice(others).username]
        case_service.assign(
            supervisor, case, AssignIn(case_manager=actor.username, team=team, version=case.version)
        )
        event_times.append(created + min(timedelta(minutes=rng.randint(1, 25)), (now - created) / 4))

    # First contact: most cases have it, in time or a little late; some open ones are overdue.
    target = plan.target
    due = case_service.FIRST_CONTACT_DUE[case.risk_level]
    chance = {"new": 0.45, "assessment": 0.85, "intervention": 0.95, "cancelled": 0.6}.get(target, 1.0)
    first_contact: datetime | None = None
    if rng.random() < chance:
        late = rng.random() < 0.15
        hours = due.total_seconds() / 3600
        delay = timedelta(hours=rng.uniform(hours, hours * 2) if late else rng.uniform(0.5, hours * 0.8))
        first_contact = min(created + delay, now - timedelta(minutes=1))
        first_contact = max(first_contact, created)
        first = TransitionIn(action=CaseAction.RECORD_FIRST_CONTACT, at=first_contact, version=case.version)
        case_service.transition(actor, case, first)
        event_times.append(first_contact)
        last = first_contact

    path: list[str] = {
        "new": [],
        "assessment": ["start_assessment"],
        "intervention": ["start_assessment", "start_intervention"],
        "monitoring": ["start_assessment", "start_intervention", "start_monitoring"],
        "closed": ["start_assessment", "start_intervention", "start_monitoring", "request_closure"],
        "cancelled": ["start_assessment"] if rng.random() < 0.4 else [],
    }[target]
    if target == "closed" and supervisor is not None:
        path.append("approve_closure")
    elif target == "monitoring" and rng.random() < 0.15:
        path.append("request_closure")  # waiting for the supervisor
    if target == "cancelled":
        path.append("cancel")
    if path and first_contact is None and target != "cancelled":
        # Work started: the first contact happened then, at the latest.
        first_contact = created + timedelta(hours=rng.uniform(0.5, 20))
        first_contact = min(first_contact, now - timedelta(minutes=1))
        first = TransitionIn(action=CaseAction.RECORD_FIRST_CONTACT, at=first_contact, version=case.version)
        case_service.transition(actor, case, first)
        event_times.append(first_contact)
        last = first_contact
    start = first_contact or created
    times = _step_times(rng, start, now - timedelta(minutes=1), path)
    closed_at: datetime | None = None
    requested_at: datetime | None = None
    for action, at in zip(path, times, strict=True):
        if action == "request_closure":
            step(action, at, reason=_pick(rng, CLOSURE_WEIGHTS))
            requested_at = at
        elif action == "approve_closure":
            assert supervisor is not None
            step(action, at, by=supervisor)
            closed_at, requested_at = at, None
        elif action == "cancel":
            step(action, at, reason=_pick(rng, CANCEL_REASONS))
            closed_at = at
        else:
            step(action, at)

    # Notes and services, within the case's working life.
    end = closed_at or now - timedelta(minutes=1)
    note_count = {
        "new": rng.randint(0, 1),
        "assessment": rng.randint(0, 2),
        "intervention": rng.randint(1, 4),
        "monitoring": rng.randint(2, 4),
        "closed": rng.randint(2, 4),
        "cancelled": rng.randint(0, 1),
    }[target]
    kelurahan = plan.kelurahan_name
    for at in _times_between(rng, start, end, note_count, skew=1.2):
        kind = _pick(rng, NOTE_KIND_WEIGHTS)
        text = _note_text(rng, kind, plan).format(kel=kelurahan, wali=plan.guardian)
        visibility = NoteVisibility.AGENCY.value if rng.random() < 0.1 else NoteVisibility.CASE_TEAM.value
        note_in = NoteIn(kind=NoteKind(kind), body=text, visibility=NoteVisibility(visibility))
        note, _warning = case_service.add_note(actor, case, note_in)
        note.created_at = at
        last = max(last, at)
    service_count = {
        "new": 0,
        "assessment": rng.randint(0, 1),
        "intervention": rng.randint(1, 3),
        "monitoring": rng.randint(1, 3),
        "closed": rng.randint(1, 3),
        "cancelled": 0,
    }[target]
    kinds: list[str] = []
    if service_count and plan.agency in ("UPTD_PPA", "DP3A") and rng.random() < 0.6:
        kinds.append("complaint_handling")
    for kind in rng.sample(SERVICES_FOR[plan.violence], k=len(SERVICES_FOR[plan.violence])):
        if len(kinds) >= service_count:
            break
        kinds.append(kind)
    for kind, at in zip(kinds, _times_between(rng, start, end, len(kinds), skew=1.3), strict=True):
        outcome = _pick(rng, OUTCOME_DONE if target == "closed" else OUTCOME_OPEN)
        provider = SERVICE_PROVIDER[kind]
        if kind == "complaint_handling":
            provider = plan.agency
        service_in = ServiceIn(
            service_type=kind,
            provider=provider,
            date=at.date(),
            outcome=ServiceOutcome(outcome),
            note=SERVICE_NOTES[kind],
        )
        record = case_service.add_service(actor, case, service_in)
        record.created_at = at
        last = max(last, at)

    # Date the case's own timeline back to when each step happened.
    events = db.session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id))
    for event, at in zip(events, event_times, strict=False):
        event.created_at = at
    case.closed_at = closed_at
    if requested_at is not None:
        case.closure_requested_at = requested_at
    case.updated_at = min(max(last, created), now)
    db.session.flush()
    return case


def _kelurahan_list() -> list[_Kelurahan]:
    stmt = (
        select(Region.code, Region.name, Region.parent_code)
        .where(Region.level == "kelurahan")
        .order_by(Region.code)
    )
    rows = [_Kelurahan(code, name, parent or "") for code, name, parent in db.session.execute(stmt)]
    if not rows:
        raise NoDemoWorkers("No kelurahan in the database: run `flask --app wsgi seed` first.")
    return rows


def create_demo_cases(
    count: int, on_progress: Callable[[int], None] | None = None, seed: int | None = None
) -> int:
    """Register `count` synthetic Kendari cases through the services; return how many were created.

    Cases go to the case workers of UPTD_PPA, POLRESTA, DINSOS and DP3A (the demo accounts when they
    exist), move through believable statuses, and get notes and services. Commits every 50 cases and then
    calls `on_progress` with the number just committed. The same `seed` gives the same data.
    """
    if count <= 0:
        return 0
    staff = _load_staff()
    if not staff:
        raise NoDemoWorkers(
            "No case worker or supervisor of UPTD_PPA, POLRESTA, DINSOS or DP3A exists: "
            "create the demo accounts first (`flask --app wsgi demo` on an empty database)."
        )
    places = _kelurahan_list()
    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data, not secrets
    now = utcnow()
    niks: set[str] = set()
    done = 0
    pending = 0
    try:
        for _ in range(count):
            plan = _plan_case(rng, now, places, staff, niks)
            _build_case(rng, now, plan, staff[plan.agency])
            done += 1
            pending += 1
            if pending >= BATCH_SIZE or done == count:
                db.session.commit()
                if on_progress is not None:
                    on_progress(pending)
                pending = 0
    except Exception:
        db.session.rollback()
        raise
    return done


__all__ = [
    "FIRST_START_CASES",
    "NoDemoWorkers",
    "create_demo_cases",
    "demo_team_exists",
    "first_start_wanted",
]
