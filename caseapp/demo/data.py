"""The material demo cases are drawn from: Kendari names, places and stories, and how often each occurs.

Only tables here (no database, no randomness): `plan.py` draws a case from them, `cases.py` takes it through
its life. The weights make a believable caseload, not a statistic; the names and stories are about nobody
real.
"""

from __future__ import annotations

from caseapp.models.case import NoteKind

NARRATIVE_MARK = "[Data demo sintetis]"
DAYS_BACK = 548  # incidents over the last 18 months

# Owning agencies: the UPTD PPA carries most of the caseload.
AGENCY_WEIGHTS = (("UPTD_PPA", 50), ("POLRESTA", 22), ("DINSOS", 14), ("DP3A", 14))

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

# Days from one step to the next (low, high), before squeezing into the time the case has had.
STEP_DAYS = {
    "start_assessment": (0.1, 7),
    "start_intervention": (2, 30),
    "start_monitoring": (30, 120),
    "request_closure": (14, 120),
    "approve_closure": (0.2, 10),
    "cancel": (0.1, 14),
}
