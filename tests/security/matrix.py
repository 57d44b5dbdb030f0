"""The authorisation matrix: who may call each page and API operation, inside and outside their area.

docs/security.md shows this table (`python -m tests.security.matrix` prints it); test_matrix.py walks
it — every entry as every actor — and fails on any URL pattern or API operation it does not list.

The record each request names lies in commune A of the province (venue A, its check-ins, a case of
a resident of commune A). Actors, in column order:

- anon: no session, no token; citizen: the same, holding the device cookie of a person who checked in;
- staff / staff_other: venue staff of venue A (and of a pending venue in commune A, which the
  approve and reject rows name) / of venue B (in commune B);
- facility: quarantine staff of facility A (in commune A). A row of nine answers gives it the answer
  of staff_other (staff with no area, like them); quarantine rows give all ten;
- commune / commune_out: the health station of commune A / of commune B;
- province / province_out: the province office (Thanh Hóa) / another province's (Nghệ An);
- admin: a superuser.

Answers: ok (2xx, or a redirect that is not to sign-in), login (redirect to the sign-in page), or the
status code. Out of area is 404 wherever a record is named by id or code (its existence must not
leak); 403 where the caller names no record, or names one the role may see but not change.
"""

from dataclasses import dataclass

ACTORS = (
    "anon",
    "citizen",
    "staff",
    "staff_other",
    "facility",
    "commune",
    "commune_out",
    "province",
    "province_out",
    "admin",
)
HEADERS = (
    "anonymous",
    "citizen (device)",
    "venue staff: own",
    "venue staff: other",
    "facility staff",
    "commune: in",
    "commune: out",
    "province: in",
    "province: other",
    "admin",
)


@dataclass(frozen=True)
class Entry:
    """One request: `name` is a URL pattern name (pages) or "METHOD /api/v1/path" (API operations).

    `args` fill the URL's parameters from the test world (str.format with `w`); `data` is the form or
    JSON body, formatted the same way.
    """

    name: str
    action: str
    answers: str
    method: str = "GET"
    args: tuple[tuple[str, str], ...] = ()
    data: tuple[tuple[str, object], ...] = ()

    @property
    def expected(self) -> dict[str, str]:
        values = self.answers.split()
        if len(values) == len(ACTORS) - 1:  # written before the facility actor: it answers as staff_other
            values.insert(ACTORS.index("facility"), values[ACTORS.index("staff_other")])
        assert len(values) == len(ACTORS), f"{self.name}: {len(values)} answers for {len(ACTORS)} actors"
        return dict(zip(ACTORS, values, strict=True))

    @property
    def http_method(self) -> str:
        return self.name.split(" ", 1)[0] if self.is_api else self.method

    @property
    def is_api(self) -> bool:
        return self.name.split(" ", 1)[0] in ("GET", "POST", "PATCH", "PUT", "DELETE")

    @property
    def label(self) -> str:
        if self.is_api:
            return f"`{self.name}`"
        shown = ", ".join(value for _key, value in self.args if "{" not in value)
        return f"`{self.method} {self.name}`" + (f" ({shown})" if shown else "")


VENUE = (("pk", "{w.venue.pk}"),)
PENDING = (("pk", "{w.pending.pk}"),)
CASE = (("case_id", "{w.case.pk}"),)
API_VENUE = (("venue_id", "{w.venue.pk}"),)
API_PENDING = (("venue_id", "{w.pending.pk}"),)
ARGS_CASE = (("case_id", "{w.case.pk}"),)
REASON = (("reason", "Không đủ điều kiện"),)
ANNOUNCEMENT = (("pk", "{w.announcement.pk}"),)
ANNOUNCEMENT_FORM = (
    ("title", "Lịch tiêm"),
    ("body", "Sáng thứ Bảy."),
    ("communes", "{w.commune_a}"),
    ("priority", 2),
)

# Answer rows shared by many entries (column order as ACTORS).
EVERYONE = "ok ok ok ok ok ok ok ok ok"
SIGNED_IN = "login login ok ok ok ok ok ok ok"
VENUE_READ = "login login ok 404 ok 404 ok 404 ok"
VENUE_OFFICIAL = "login login 403 404 ok 404 ok 404 ok"
TRACERS = "login login 403 403 ok ok ok ok ok"
CASE_PAGE = "login login 403 403 ok 404 ok 404 ok"
PROVINCE_OFFICE = "login login 403 403 403 403 ok 403 ok"
API_SIGNED_IN = "401 401 ok ok ok ok ok ok ok"
# Staff accounts only (the Django admin's own sign-in for everyone else).
ADMIN_ONLY = "login login login login login login login login ok"
API_VENUE_READ = "401 401 ok 404 ok 404 ok 404 ok"
API_VENUE_OFFICIAL = "401 401 403 404 ok 404 ok 404 ok"
API_CASE = "401 401 403 403 ok 404 ok 404 ok"
COMMUNE = (("code", "{w.commune_a}"),)
# A restricted area of commune A: its station and the province office change or lift it.
AREA_ARGS = (("pk", "{w.area.pk}"),)
API_AREA_ARGS = (("area_id", "{w.area.pk}"),)
AREA = "login login 403 403 ok 404 ok 404 ok"
API_AREA = "401 401 403 403 ok 404 ok 404 ok"
AREA_FORM = (
    ("name", "Thôn 3"),
    ("kind", "lockdown"),
    ("reason", "Ổ dịch tại chợ"),
    ("starts_on", "{w.today}"),
    ("ends_on", "{w.hold_until}"),
    ("communes", "{w.commune_a}"),
)
COMMUNE_PAGE = "login login 404 404 ok 404 ok 404 ok"
API_FIGURES = "401 401 403 403 ok ok ok ok ok"
# Quarantine rows give ten answers, the facility column after staff_other.
Q_OFFICIALS = "login login 403 403 ok ok ok ok ok ok"
Q_FACILITY = "login login 404 404 ok 404 404 ok 404 ok"  # a page of facility A
Q_STAY = "login login 404 404 ok ok 404 ok 404 ok"  # a commune A resident's order in facility A
Q_HOME = "login login 404 404 404 ok 404 ok 404 ok"  # home quarantine of a commune A resident
API_Q_OFFICIALS = "401 401 403 403 ok ok ok ok ok ok"
API_Q_STAY = "401 401 404 404 ok ok 404 ok 404 ok"
API_Q_HOME = "401 401 404 404 404 ok 404 ok 404 ok"
API_Q_PROVINCE = "401 401 403 403 403 403 403 ok 403 ok"
Q_ORDER = (("order_id", "{w.order.pk}"),)
Q_HOME_ORDER = (("order_id", "{w.home_order.pk}"),)
Q_REPORT = (("order_id", "{w.home_order.pk}"), ("sig", "{w.report_sig}"))

MATRIX: tuple[Entry, ...] = (
    # --- public pages ---------------------------------------------------------------------------
    Entry("home", "home page", EVERYONE),
    Entry("healthz", "liveness check", EVERYONE),
    Entry("set_language", "switch language", EVERYONE, "POST", data=(("language", "en"),)),
    Entry("accounts:login", "sign-in form", EVERYONE),
    Entry("accounts:totp_verify", "second-factor step (after a password)", "login " * 9),
    Entry("accounts:totp_enrol", "set up a second factor", SIGNED_IN),
    Entry("accounts:logout", "sign out", EVERYONE, "POST"),
    Entry(
        "accounts:welcome",
        "a venue owner's one-time link: a used or forged one is a 404",
        "404 " * 9,
        args=(("uid", "MQ"), ("token", "forged-token")),
    ),
    Entry("api:openapi-json", "API schema", EVERYONE),
    Entry("api:openapi-view", "API docs (Swagger UI)", EVERYONE),
    Entry("api:api-root", "API root: no page", "404 " * 9),
    Entry("venues:register", "ask for a venue to be registered", EVERYONE),
    Entry("checkins:scan", "scan a poster: the check-in form", EVERYONE, args=(("token", "{w.token}"),)),
    Entry("checkins:receipt", "check-in receipt (the link is the key)", EVERYONE, args=(("ref", "{w.ref}"),)),
    Entry("checkins:checkout", "check out from a receipt", EVERYONE, "POST", args=(("ref", "{w.ref}"),)),
    Entry(
        "checkins:my_qr",
        "personal QR cards of this phone's person (it declared them first, or proved the number by SMS)",
        "404 ok 404 404 404 404 404 404 404",
    ),
    Entry("checkins:forget_device", "forget this phone", EVERYONE, "POST"),
    Entry("privacy:my_data", "my data: ask for an SMS code", EVERYONE),
    Entry("privacy:my_data", "my data: send the code", EVERYONE, "POST", data=(("phone", "0912345678"),)),
    Entry("privacy:verify", "my data: a missing code is a 400", "400 " * 9, "POST"),
    # The SMS gateway's webhook: only a body signed with the shared secret is heard, whoever calls.
    Entry(
        "notifications:sms-inbound",
        "SMS gateway webhook, unsigned",
        "403 " * 9,
        "POST",
        data=(("from", "0912345678"), ("text", "QR {w.venue.code}")),
    ),
    Entry("privacy:records", "my data: records, only after phone verification", "403 " * 9),
    Entry("privacy:end", "my data: close the page", EVERYONE, "POST"),
    Entry(
        "privacy:remember", "my data: remember this phone, only after phone verification", "403 " * 9, "POST"
    ),
    Entry("privacy:details", "my data: my details form, only after phone verification", "403 " * 9),
    Entry(
        "privacy:details",
        "my data: correct my details, only after phone verification",
        "403 " * 9,
        "POST",
        data=(("full_name", "Nguyễn Văn B"), ("birth_year", "1990")),
    ),
    # --- venues ----------------------------------------------------------------------------------
    Entry("venues:list", "venue list (own area or venues)", SIGNED_IN),
    Entry("venues:new", "venue creation form", SIGNED_IN),
    Entry(
        "venues:new",
        "create a venue in commune A",
        "login login 403 403 ok 403 ok 403 ok",
        "POST",
        data=(
            ("name", "Nhà văn hoá"),
            ("kind", "agency"),
            ("address", "5 Trần Phú"),
            ("commune", "{w.commune_a}"),
        ),
    ),
    Entry("venues:batches", "poster batches (own requests)", SIGNED_IN),
    Entry(
        "venues:batch_download",
        "download a poster batch (its requester only)",
        "login login 404 404 ok 404 404 404 404",
        args=(("pk", "{w.batch.pk}"),),
    ),
    Entry("venues:detail", "venue page", VENUE_READ, args=VENUE),
    Entry("venues:edit", "edit a venue", VENUE_READ, args=VENUE),
    Entry(
        "venues:staff_add",
        "add gate staff to a venue",
        VENUE_READ,
        "POST",
        args=VENUE,
        data=(
            ("username", "cong_a2"),
            ("full_name", "Lê Văn Cổng"),
            ("password", "correct horse battery staple"),
        ),
    ),
    Entry("venues:poster", "print its poster", VENUE_READ, args=VENUE),
    Entry("venues:qr", "its QR image", VENUE_READ, args=(*VENUE, ("kind", "svg"))),
    Entry("venues:action", "approve", VENUE_OFFICIAL, "POST", args=(*PENDING, ("action", "approve"))),
    Entry(
        "venues:action", "reject", VENUE_OFFICIAL, "POST", args=(*PENDING, ("action", "reject")), data=REASON
    ),
    Entry(
        "venues:action", "suspend", VENUE_OFFICIAL, "POST", args=(*VENUE, ("action", "suspend")), data=REASON
    ),
    Entry("venues:action", "rotate its QR", VENUE_READ, "POST", args=(*VENUE, ("action", "rotate"))),
    Entry("venues:action", "revoke its QR", VENUE_READ, "POST", args=(*VENUE, ("action", "revoke"))),
    # --- check-ins (staff side) --------------------------------------------------------------------
    Entry("checkins:gate_index", "gate: choose a venue", SIGNED_IN),
    Entry("checkins:gate", "gate scanner of a venue", VENUE_READ, args=(("code", "{w.venue.code}"),)),
    Entry("checkins:gate_sw", "the gate's service worker (a script, no data)", EVERYONE),
    Entry(
        "checkins:gate_device",
        "enrol a gate device (an API token of one's own)",
        "login login ok 404 ok 404 ok 404 ok",
        "POST",
        args=(("code", "{w.venue.code}"),),
        data=(("action", "enrol"),),
    ),
    Entry("checkins:visitors", "visitor log of a venue", VENUE_READ, args=(("code", "{w.venue.code}"),)),
    # --- tracing ---------------------------------------------------------------------------------
    Entry("tracing:cases", "case list (own area)", TRACERS),
    Entry("tracing:case_new", "register a case", TRACERS),
    Entry("tracing:alerts", "venue alerts (own area)", TRACERS),
    Entry("tracing:followup_list", "F1 to follow (own area)", TRACERS),
    Entry(
        "tracing:unknown_residence",
        "contacts without a known residence (the province's worklist)",
        "login login 403 403 403 403 ok 403 ok",
    ),
    Entry("tracing:case", "case page", CASE_PAGE, args=CASE),
    Entry("tracing:timeline", "printable timeline (mốc dịch tễ)", CASE_PAGE, args=CASE),
    Entry("tracing:notify", "review the exposure SMS", CASE_PAGE, args=CASE),
    Entry(
        "tracing:notify", "send the exposure SMS", CASE_PAGE, "POST", args=CASE, data=(("f1", 1), ("f2", 0))
    ),
    Entry("tracing:case_edit", "edit a case", CASE_PAGE, "POST", args=CASE),
    Entry("tracing:trace", "trace now", CASE_PAGE, "POST", args=CASE),
    Entry("tracing:place_add", "add a place to the timeline", CASE_PAGE, "POST", args=CASE),
    Entry("tracing:contact_add", "add a contact by hand", CASE_PAGE, "POST", args=CASE),
    Entry("tracing:followup", "contact follow-up", CASE_PAGE, "POST", args=CASE),
    Entry("tracing:export", "export contacts", CASE_PAGE, args=(*CASE, ("kind", "csv"))),
    Entry(
        "tracing:dismiss",
        "dismiss a contact",
        CASE_PAGE,
        "POST",
        args=(("exposure_id", "{w.exposure.pk}"),),
        data=REASON,
    ),
    Entry(
        "tracing:residence",
        "correct where a contact lives, with a reason",
        CASE_PAGE,
        "POST",
        args=(("exposure_id", "{w.exposure.pk}"),),
        data=(("commune", "{w.commune_a}"), *REASON),
    ),
    Entry(
        "tracing:alert_change",
        "publish or retract an alert",
        CASE_PAGE,
        "POST",
        args=(("alert_id", "{w.alert.pk}"),),
    ),
    # --- quarantine (10 answers: the facility column after venue staff) ---------------------------
    Entry("quarantine:board", "facility board (own facilities)", Q_OFFICIALS),
    Entry("quarantine:worklist", "my worklist (goes to the facility's or the station's)", Q_OFFICIALS),
    Entry(
        "quarantine:facility_worklist",
        "a facility's worklist",
        Q_FACILITY,
        args=(("code", "{w.facility.code}"),),
    ),
    Entry(
        "quarantine:facility",
        "facility A: rooms, beds and who is in them",
        Q_FACILITY,
        args=(("code", "{w.facility.code}"),),
    ),
    Entry(
        "quarantine:facility_status",
        "close facility A",
        Q_FACILITY,
        "POST",
        args=(("code", "{w.facility.code}"),),
        data=(("status", "closed"),),
    ),
    Entry(
        "quarantine:facility_rooms",
        "add beds to facility A",
        Q_FACILITY,
        "POST",
        args=(("code", "{w.facility.code}"),),
        data=(("room_label", "P2"), ("beds", 2)),
    ),
    Entry(
        "quarantine:commune_worklist",
        "a station's home-quarantine worklist",
        Q_HOME,
        args=(("commune", "{w.commune_a}"),),
    ),
    Entry("quarantine:orders", "quarantine orders (own area)", Q_OFFICIALS),
    Entry("quarantine:order", "an order in facility A", Q_STAY, args=Q_ORDER),
    Entry("quarantine:order", "a home order in commune A", Q_HOME, args=Q_HOME_ORDER),
    Entry("quarantine:order_action", "arrived: start", Q_STAY, "POST", args=(*Q_ORDER, ("action", "start"))),
    Entry(
        "quarantine:order_action",
        "record a check",
        Q_HOME,
        "POST",
        args=(*Q_HOME_ORDER, ("action", "check")),
        data=(("slot", "morning"), ("temperature", "37.0")),
    ),
    Entry(
        "quarantine:certificate", "release certificate PDF", Q_HOME, args=(("order_id", "{w.done_order.pk}"),)
    ),
    Entry("quarantine:bulk_order", "order quarantine for a case's F1", CASE_PAGE, args=CASE),
    Entry("quarantine:lab_import", "import lab results", Q_OFFICIALS),
    Entry("quarantine:policies", "quarantine policies", Q_OFFICIALS),
    Entry("quarantine:policy_new", "draft a new policy", PROVINCE_OFFICE),
    Entry(
        "quarantine:policy_new",
        "save a draft policy",
        PROVINCE_OFFICE,
        "POST",
        data=(
            ("version", "TEST-1"),
            ("title", "Thử"),
            ("effective_from", "2026-01-01"),
            ("checks_per_day", 2),
        ),
    ),
    Entry(
        "quarantine:policy",
        "apply a draft policy (confirmed)",
        PROVINCE_OFFICE,
        "POST",
        args=(("policy_id", "{w.draft_policy.pk}"),),
        data=(("orders", ""), ("confirm", "on")),
    ),
    Entry(
        "quarantine:policy",
        "what-if of a draft policy",
        PROVINCE_OFFICE,
        args=(("policy_id", "{w.draft_policy.pk}"),),
    ),
    Entry("quarantine:self_report", "self-report (the SMS link is the key)", EVERYONE, args=Q_REPORT),
    Entry(
        "quarantine:self_report",
        "send a self-report",
        EVERYONE,
        "POST",
        args=Q_REPORT,
        data=(("temperature", "36.8"),),
    ),
    Entry(
        "quarantine:verify",
        "check a certificate (its QR)",
        EVERYONE,
        args=(("number", "{w.done_order.certificate_number}"), ("sig", "{w.certificate_sig}")),
    ),
    # --- audit, legal holds and admin ----------------------------------------------------------
    Entry("audit:event_list", "audit log", PROVINCE_OFFICE),
    Entry("privacy:holds", "legal holds: the list for review", PROVINCE_OFFICE),
    Entry(
        "privacy:holds",
        "place a legal hold on the case",
        PROVINCE_OFFICE,
        "POST",
        data=(("case", "{w.case.pk}"), ("reason", "Thanh tra Sở Y tế yêu cầu"), ("until", "{w.hold_until}")),
    ),
    Entry(
        "privacy:hold_lift",
        "lift a legal hold",
        PROVINCE_OFFICE,
        "POST",
        args=(("hold_id", "{w.hold.pk}"),),
        data=(("reason", "Thanh tra đã kết thúc"),),
    ),
    # --- public information (announcements, feedback) ----------------------------------------------
    Entry("public:page", "public epidemic page", EVERYONE),
    Entry("public:announcements", "announcements in force (titles)", EVERYONE),
    Entry("public:alerts", "places with a published exposure alert", EVERYONE),
    Entry("public:map", "public map: commune risk levels, restricted areas, alert venues", EVERYONE),
    Entry("public:announcement", "an announcement in force", EVERYONE, args=ANNOUNCEMENT),
    Entry("public:feed", "Atom feed of the province", EVERYONE),
    Entry("public:commune_feed", "Atom feed of a commune", EVERYONE, args=(("commune", "{w.commune_a}"),)),
    Entry("public:check", "exposure self-check (the device's visits, or a code and a day)", EVERYONE),
    Entry("public:guide", "guide: how to declare by QR code", EVERYONE),
    Entry("public:leaflet", "guide: printable A4 leaflet", EVERYONE),
    Entry("public:embed", "embed for agency websites (no cookies, framable)", EVERYONE),
    Entry("public:feedback", "report a problem: the form", EVERYONE),
    Entry("public:feedback", "report a problem: a form without its timing token", "400 " * 9, "POST"),
    Entry("public:feedback_sent", "report a problem: sent", EVERYONE),
    Entry("public:optout", "stop announcement SMS: the button", EVERYONE, args=(("token", "{w.optout}"),)),
    Entry("public:optout", "stop announcement SMS", EVERYONE, "POST", args=(("token", "{w.optout}"),)),
    Entry("public:announcement_list", "announcements (own area)", TRACERS),
    Entry("public:announcement_new", "announcement form", TRACERS),
    Entry(
        "public:announcement_new",
        "announce for commune A (outside the area: not a commune one may choose)",
        "login login 403 403 ok 400 ok 400 ok",
        "POST",
        data=ANNOUNCEMENT_FORM,
    ),
    Entry("public:announcement_edit", "an announcement for commune A", CASE_PAGE, args=ANNOUNCEMENT),
    Entry(
        "public:announcement_edit",
        "change an announcement for commune A",
        CASE_PAGE,
        "POST",
        args=ANNOUNCEMENT,
        data=(*ANNOUNCEMENT_FORM, ("publish_at", "2026-12-01T08:00")),
    ),
    Entry(
        "public:announcement_sms",
        "send an urgent announcement by SMS",
        CASE_PAGE,
        "POST",
        args=ANNOUNCEMENT,
        data=(("days", 3),),
    ),
    Entry("public:feedback_list", "citizens' reports (own area)", TRACERS),
    Entry(
        "public:feedback_handle",
        "mark a report about commune A handled",
        CASE_PAGE,
        "POST",
        args=(("pk", "{w.feedback.pk}"),),
        data=(("note", "Đã in lại áp phích"),),
    ),
    # --- dashboard -------------------------------------------------------------------------------
    Entry("dashboard:overview", "epidemic figures (own area's communes)", TRACERS),
    Entry("dashboard:map", "epidemic-control map", TRACERS),
    Entry("dashboard:commune", "a commune's figures and risk levels", COMMUNE_PAGE, args=COMMUNE),
    Entry(
        "dashboard:override",
        "set its risk level by decision",
        COMMUNE_PAGE,
        "POST",
        args=COMMUNE,
        data=(("level", 3), ("reason", "Ổ dịch tại chợ"), ("expires_on", "{w.soon_day}")),
    ),
    Entry("dashboard:population", "population and vaccination import", PROVINCE_OFFICE),
    Entry("dashboard:areas", "restricted areas (own area)", TRACERS),
    Entry(
        "dashboard:areas",
        "declare commune A restricted (another area's commune is not a choice: 400)",
        "login login 403 403 ok 400 ok 400 ok",
        "POST",
        data=(
            ("name", "Khu phố 3"),
            ("kind", "lockdown"),
            ("reason", "Ổ dịch tại chợ"),
            ("starts_on", "{w.hold_until}"),
            ("communes", "{w.commune_a}"),
        ),
    ),
    Entry("dashboard:area_change", "change commune A's area: the form", AREA, args=AREA_ARGS),
    Entry(
        "dashboard:area_change",
        "extend commune A's area",
        AREA,
        "POST",
        args=AREA_ARGS,
        data=AREA_FORM,
    ),
    Entry("dashboard:area_end", "lift commune A's area: the form", AREA, args=AREA_ARGS),
    Entry(
        "dashboard:area_end",
        "lift commune A's area",
        AREA,
        "POST",
        args=AREA_ARGS,
        data=(("on", "{w.today}"), ("reason", "Không còn ca mới")),
    ),
    Entry("dashboard:reports", "daily reports (kept ones: province office)", TRACERS),
    Entry(
        "dashboard:report_download",
        "a kept province report",
        PROVINCE_OFFICE,
        args=(("pk", "{w.report.pk}"), ("kind", "pdf")),
    ),
    Entry("admin:*", "Django admin (every admin page)", ADMIN_ONLY),
    Entry("background-status", "background work (ops page)", ADMIN_ONLY),
    # --- API -------------------------------------------------------------------------------------
    Entry("GET /api/v1/geo/provinces", "provinces", EVERYONE),
    Entry("GET /api/v1/public/alerts", "published exposure alerts (cacheable)", EVERYONE),
    Entry("GET /api/v1/public/map", "public map GeoJSON: levels, areas, alert venues (cacheable)", EVERYONE),
    Entry("GET /api/v1/announcements", "announcements in force (cacheable)", EVERYONE),
    Entry("GET /api/v1/geo/communes", "communes of a province", EVERYONE, args=(("province", "38"),)),
    Entry("GET /api/v1/me", "who am I", API_SIGNED_IN),
    Entry(
        "POST /api/v1/venues",
        "create a venue in commune A",
        "401 401 403 403 ok 403 ok 403 ok",
        data=(
            ("name", "Nhà văn hoá"),
            ("kind", "agency"),
            ("commune_code", "{w.commune_a}"),
            ("address", "5 Trần Phú"),
        ),
    ),
    Entry("GET /api/v1/venues", "venue list (own area or venues)", API_SIGNED_IN),
    Entry("GET /api/v1/venues/{venue_id}", "a venue", API_VENUE_READ, args=API_VENUE),
    Entry(
        "PATCH /api/v1/venues/{venue_id}",
        "edit a venue",
        API_VENUE_READ,
        args=API_VENUE,
        data=(("name", "Chợ mới"),),
    ),
    Entry("POST /api/v1/venues/{venue_id}/approve", "approve", API_VENUE_OFFICIAL, args=API_PENDING),
    Entry(
        "POST /api/v1/venues/{venue_id}/reject", "reject", API_VENUE_OFFICIAL, args=API_PENDING, data=REASON
    ),
    Entry(
        "POST /api/v1/venues/{venue_id}/suspend", "suspend", API_VENUE_OFFICIAL, args=API_VENUE, data=REASON
    ),
    Entry("POST /api/v1/venues/{venue_id}/rotate-qr", "rotate its QR", API_VENUE_READ, args=API_VENUE),
    Entry("POST /api/v1/venues/{venue_id}/revoke-qr", "revoke its QR", API_VENUE_READ, args=API_VENUE),
    Entry("GET /api/v1/venues/{venue_id}/poster.pdf", "its poster", API_VENUE_READ, args=API_VENUE),
    Entry(
        "POST /api/v1/checkins",
        "record a check-in at venue A",
        "401 401 ok 403 ok 403 ok 403 ok",
        data=(("venue_code", "{w.venue.code}"), ("person", {"phone": "0912000111", "full_name": "Lê Văn C"})),
    ),
    # Every signed-in caller may send a batch; each item is refused on its own outside the caller's
    # area, as an unknown venue code is (tests/checkins/test_batch.py), so the answer is 200 for all.
    Entry(
        "POST /api/v1/checkins/batch",
        "sync a gate device's queue for venue A",
        "401 401 ok ok ok ok ok ok ok",
        data=(
            (
                "items",
                [
                    {
                        "client_id": "6f1c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f",
                        "venue_code": "{w.venue.code}",
                        "entered_at": "2026-11-25T08:30:00+07:00",
                        "person": {"phone": "0912000333", "full_name": "Lê Văn E"},
                    }
                ],
            ),
        ),
    ),
    Entry(
        "POST /api/v1/checkins/{checkin_id}/checkout",
        "check someone out",
        API_VENUE_READ,
        args=(("checkin_id", "{w.checkin.pk}"),),
    ),
    Entry("GET /api/v1/venues/{venue_id}/checkins", "a venue's check-ins", API_VENUE_READ, args=API_VENUE),
    Entry(
        "POST /api/v1/cases",
        "register a case living in commune A",
        "401 401 403 403 ok 403 ok 403 ok",
        data=(
            ("phone", "0912000222"),
            ("full_name", "Phạm Thị D"),
            ("confirmed_at", "{w.now}"),
            ("commune_code", "{w.commune_a}"),
        ),
    ),
    Entry("GET /api/v1/cases/{case_id}", "a case", API_CASE, args=ARGS_CASE),
    Entry("POST /api/v1/cases/{case_id}/trace", "trace now", API_CASE, args=ARGS_CASE),
    Entry("GET /api/v1/cases/{case_id}/notifications", "review its exposure SMS", API_CASE, args=ARGS_CASE),
    Entry(
        "POST /api/v1/cases/{case_id}/notifications",
        "send its exposure SMS",
        API_CASE,
        args=ARGS_CASE,
        data=(("f1", 1), ("f2", 0)),
    ),
    Entry(
        "GET /api/v1/cases/{case_id}/exposures",
        "its F1/F2 in the caller's area (404 if neither the case nor any of them is)",
        API_CASE,
        args=ARGS_CASE,
    ),
    Entry("GET /api/v1/cases/{case_id}/timeline", "its timeline", API_CASE, args=ARGS_CASE),
    Entry("GET /api/v1/stats/daily", "figures per day (own area)", API_FIGURES),
    Entry("GET /api/v1/stats/communes", "figures per commune (own area)", API_FIGURES),
    Entry(
        "GET /api/v1/map/layers/{name}",
        "a map layer (own area)",
        API_FIGURES,
        args=(("name", "communes"),),
    ),
    Entry("GET /api/v1/risk-levels", "risk levels (own area)", API_FIGURES),
    Entry(
        "POST /api/v1/risk-levels",
        "set commune A's level by decision",
        "401 401 404 404 ok 404 ok 404 ok",
        data=(
            ("commune_code", "{w.commune_a}"),
            ("level", 3),
            ("reason", "Ổ dịch tại chợ"),
            ("expires_at", "{w.soon}"),
        ),
    ),
    Entry(
        "POST /api/v1/restricted-areas",
        "declare commune A restricted",
        "401 401 403 403 ok 403 ok 403 ok",
        data=(
            ("name", "Khu phố 3"),
            ("reason", "Ổ dịch tại chợ"),
            ("starts_on", "{w.hold_until}"),
            ("commune_codes", [14797]),  # commune A (tests/actors.py)
        ),
    ),
    Entry("GET /api/v1/restricted-areas", "restricted areas in force or planned (own area)", API_FIGURES),
    Entry(
        "PATCH /api/v1/restricted-areas/{area_id}",
        "extend commune A's area",
        API_AREA,
        args=API_AREA_ARGS,
        data=(("ends_on", "{w.hold_until}"),),
    ),
    Entry(
        "POST /api/v1/restricted-areas/{area_id}/end",
        "lift commune A's area",
        API_AREA,
        args=API_AREA_ARGS,
        data=(("on", "{w.today}"), ("reason", "Không còn ca mới")),
    ),
    Entry(
        "GET /api/v1/reports/daily/{day}.pdf",
        "daily report (own area)",
        API_FIGURES,
        args=(("day", "{w.hold_until}"),),
    ),
    Entry(
        "GET /api/v1/reports/daily/{day}.xlsx",
        "daily report (own area)",
        API_FIGURES,
        args=(("day", "{w.hold_until}"),),
    ),
    Entry("GET /api/v1/public/summary", "public figures: aggregates only", EVERYONE),
    Entry(
        "POST /api/v1/quarantine/orders",
        "order a resident of commune A home",
        "401 401 404 404 404 ok 404 ok 404 ok",
        data=(
            ("person_id", "{w.q_person.pk}"),
            ("reason", "f1"),
            ("vaccination", "full"),
            ("kind", "home"),
            ("address", "3 Lê Lai"),
        ),
    ),
    Entry("GET /api/v1/quarantine/orders", "orders (own area)", API_Q_OFFICIALS),
    Entry("GET /api/v1/quarantine/orders/{order_id}", "an order in facility A", API_Q_STAY, args=Q_ORDER),
    Entry(
        "PATCH /api/v1/quarantine/orders/{order_id}",
        "extend a home order",
        API_Q_HOME,
        args=Q_HOME_ORDER,
        data=(("planned_end", "{w.later}"), ("reason", "Còn ho")),
    ),
    Entry("GET /api/v1/quarantine/orders/{order_id}/checks", "its checks", API_Q_STAY, args=Q_ORDER),
    Entry(
        "POST /api/v1/quarantine/orders/{order_id}/checks",
        "record a check",
        API_Q_STAY,
        args=Q_ORDER,
        data=(("temperature", "36.9"), ("spo2", 98)),
    ),
    Entry("GET /api/v1/quarantine/orders/{order_id}/tests", "its tests", API_Q_STAY, args=Q_ORDER),
    Entry(
        "POST /api/v1/quarantine/orders/{order_id}/tests",
        "record a result",
        API_Q_STAY,
        args=Q_ORDER,
        data=(("result", "negative"),),
    ),
    Entry(
        "POST /api/v1/quarantine/orders/{order_id}/release",
        "release before the planned end: refused",
        "401 401 404 404 404 400 404 400 404 400",
        args=Q_HOME_ORDER,
    ),
    Entry(
        "POST /api/v1/quarantine/orders/{order_id}/transfer",
        "move a home order to facility A",
        API_Q_HOME,
        args=Q_HOME_ORDER,
        data=(("kind", "facility"), ("facility_code", "{w.facility.code}"), ("reason", "Nhà chật")),
    ),
    Entry("GET /api/v1/quarantine/facilities", "facilities with occupancy", API_Q_OFFICIALS),
    Entry(
        "POST /api/v1/quarantine/facilities",
        "open a facility",
        API_Q_PROVINCE,
        data=(
            ("code", "KCL-NEW"),
            ("name", "Trường THCS"),
            ("commune_code", "{w.commune_a}"),
            ("address", "1 Lý Thường Kiệt"),
            ("managing_unit", "BQL"),
        ),
    ),
    Entry("GET /api/v1/quarantine/policies", "quarantine policies", API_Q_OFFICIALS),
    Entry(
        "POST /api/v1/quarantine/policies/preview",
        "what-if of a new policy",
        API_Q_PROVINCE,
        data=(
            ("version", "TH-TEST"),
            ("title", "Thử"),
            ("effective_from", "{w.today}"),
            ("rules", [{"reason": "f1", "vaccination": "full", "days": 3}]),
        ),
    ),
    Entry(
        "POST /api/v1/quarantine/policies/{policy_id}/apply",
        "apply a draft policy",
        API_Q_PROVINCE,
        args=(("policy_id", "{w.draft_policy.pk}"),),
        data=(("orders", []),),
    ),
)

_SHOWN = {"ok": "✓", "login": "→ sign-in"}


def markdown_table() -> str:
    """The table docs/security.md shows, row for row the entries the tests walk."""
    lines = [
        "| request | action | " + " | ".join(HEADERS) + " |",
        "|---|---|" + "---|" * len(HEADERS),
    ]
    for entry in MATRIX:
        cells = [_SHOWN.get(answer, answer) for answer in entry.expected.values()]
        lines.append(f"| {entry.label} | {entry.action} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown_table(), end="")
