"""Request-level throughput of a running server (`make loadtest`); one JSON object per line on stdout:

    {"name", "value", "unit", "baseline", "ratio", "scale", "errors"}

The server must serve gradreg.devtools.loadtest_urls (the site plus the constant view); this command reads
the same database to prepare the write pools (gradreg.devtools.loadprep) and to check afterwards that each
write really happened. Every line: a warm-up, then C keep-alive clients until --seconds or its request
budget runs out. "errors": answers outside 2xx/3xx, plus writes the database does not show.

- auth_const: req/s of the constant view with a department session; baseline: the same without a session.
- public_lookup_rps: req/s of the public 档案登记信息表 look-up by its QR address (the form a receiving agency
  uses most: it scans the sheet), no session; baseline: the constant view without a session (anon_const).
- roster_list_rps, signing_list_rps (bench's SIGNING_FILTER), termination_list_rps, destination_list_rps
  (去向登记管理 as the department opens it, bench's DESTINATION_FILTER), api_roster_rps, api_signing_rps,
  detail_rps, approve_rps, graduate_home_rps: req/s; baseline: auth_const's value.
- *_deep: page 50 against page 1 of the same list.
- mixed_rps / mixed_p95 (baseline p50) / mixed_p99: the graduation-season mix (MIX) at the concurrency where
  the read part of the mix stops gaining throughput.
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict
from django.urls import reverse

from gradreg.accounts.models import Role, User
from gradreg.destinations.models import Registration
from gradreg.destinations.selectors import Filters
from gradreg.destinations.selectors import search as destination_search
from gradreg.devtools import loadgen, loadprep
from gradreg.devtools.loadgen import Account, Req, Stats
from gradreg.devtools.loadtest_urls import CONST_PATH
from gradreg.devtools.management.commands.bench import DESTINATION_ALL, DESTINATION_FILTER, SIGNING_FILTER
from gradreg.ems.models import Graduate
from gradreg.signing.forms import ReviewFilterForm
from gradreg.signing.models import Initiator, Signing, SigningStatus
from gradreg.signing.selectors import signing_search, terminations_visible_to

CONST = "/" + CONST_PATH
REDIRECT = frozenset({302})
# the graduation-season mix, out of 100 requests (reads 91, writes 9)
MIX = (
    ("graduate_home", 35), ("employer_list", 8), ("signing_list", 15), ("roster_list", 8), ("detail", 10),
    ("api_signing", 5), ("termination_list", 5), ("destination_list", 5),
    ("agree", 1), ("invite", 3), ("approve", 5),
)
WRITES = {"agree", "invite", "approve"}


def schedule(mix=MIX) -> list[str]:
    """The kinds of 100 consecutive requests, spread evenly (so any window of the run keeps the proportions)."""
    slots: list[tuple[float, str]] = []
    for kind, weight in mix:
        slots += [((k + 0.5) / weight, kind) for k in range(weight)]
    return [kind for _, kind in sorted(slots)]


class Command(BaseCommand):
    help = "生产服务器的请求吞吐量测试（需先运行 seed_scale，并在 --url 启动 loadtest_urls）：每行输出一个 JSON 对象"

    def add_arguments(self, parser):
        parser.add_argument("--url", required=True, help="服务器地址，如 http://127.0.0.1:8200")
        parser.add_argument("--user", default="bench_dept", help="列表、详情所用的院系用户（seed_scale 的账号）")
        parser.add_argument("--concurrency", type=int, default=8, help="每项的并发客户端数")
        parser.add_argument("--seconds", type=float, default=4.0, help="每项的计时上限（秒）")
        parser.add_argument("--requests", type=int, default=5000, help="每项的请求数上限")
        parser.add_argument("--warmup", type=float, default=1.0, help="每项计时前的预热（秒）")
        parser.add_argument("--rounds", type=int, default=3,
                            help="每项与其基线交替测量的轮数（每轮各 --seconds/轮数 秒）")
        parser.add_argument("--levels", default="2,4,8,16,32", help="混合场景逐级加压的并发数")
        parser.add_argument("--ramp-seconds", type=float, default=2.0, help="加压时每级的计时（秒）")
        parser.add_argument("--mixed-seconds", type=float, default=6.0, help="混合场景的计时上限（秒）")
        parser.add_argument("--mixed-requests", type=int, default=4000, help="混合场景的请求数上限")
        parser.add_argument("--approve-pool", type=int, default=2500, help="每次运行前补足的待院系审核签约数")

    def handle(self, *args, **o):
        if getattr(settings, "GRADREG_ENV", "") == "production":
            raise CommandError("不要在生产环境运行负载测试。")
        self.o = o
        self.base = o["url"].rstrip("/")
        dept = User.objects.filter(username=o["user"], role=Role.DEPARTMENT).first()
        if dept is None:
            raise CommandError(f"找不到院系用户 {o['user']}，请先运行 seed_scale。")
        self.scale = Graduate.objects.count()
        per_mix = -(-o["mixed_requests"] // 100)
        weights = dict(MIX)
        t = time.monotonic()
        plan = loadprep.prepare(approve_pool=o["approve_pool"], agree_pool=weights["agree"] * per_mix,
                                invitees=weights["invite"] * per_mix, log=self.stderr.write)
        if not plan.home_user or len(plan.approve_pks) <= weights["approve"] * per_mix:
            raise CommandError("负载测试数据不足（--approve-pool 须大于混合场景的审核次数）。")
        self.stderr.write(f"准备数据 {time.monotonic() - t:.1f} 秒；数据库中毕业生 {self.scale} 名")
        self.plan = plan
        self.targets(dept)
        asyncio.run(loadgen.wait_until_up(self.base, CONST))

        t = time.monotonic()
        logins = [(o["user"], plan.password), (plan.dept_user, plan.password), (plan.employer_user, plan.password),
                  (plan.home_user, plan.password)]
        accounts = asyncio.run(loadgen.login_many(self.base, logins, concurrency=min(4, o["concurrency"])))
        self.dept, self.reviewer, self.employer, self.graduate = accounts
        self.agreeing: list[tuple[Account, int]] = []
        self.stderr.write(f"经登录页登录 {len(accounts)} 个账号 {time.monotonic() - t:.1f} 秒")

        started = time.monotonic()
        self.lines()
        self.stderr.write(f"全部测试 {time.monotonic() - started:.0f} 秒")

    # --- targets ---------------------------------------------------------------------------------------

    def targets(self, dept: User) -> None:
        self.roster = reverse("roster:list")
        review = reverse("signing:review_list")
        self.signing_page = f"{review}?{SIGNING_FILTER}&page="
        self.deep_filter = "status="
        for candidate in ("status=&initiator=employer", "status="):
            if signing_search(dept, ReviewFilterForm(QueryDict(candidate)).filters()).count() >= 1000:
                self.deep_filter = candidate
                break
        self.signing_deep = f"{review}?{self.deep_filter}&page="
        self.terminations = reverse("signing:termination_list")
        self.n_terminations = terminations_visible_to(dept).count()
        registrations = reverse("destinations:list")
        self.destination_page = f"{registrations}?{DESTINATION_FILTER}&page="
        self.destination_all = f"{registrations}?{DESTINATION_ALL}&page="
        self.n_destinations = destination_search(Registration, dept, Filters()).count()
        if not self.n_destinations:
            raise CommandError(f"{dept.username} 的院系没有去向登记，请先运行 seed_scale --destinations。")
        one = (Signing.objects.filter(department_id=dept.department_id, status=SigningStatus.AGREED,
                                      initiator=Initiator.EMPLOYER).order_by("id").values_list("pk", flat=True).first())
        if one is None:
            raise CommandError(f"{dept.username} 的院系没有签约，请先运行 seed_scale --signings。")
        self.detail = reverse("signing:detail", args=[one])
        self.api_roster = "/api/v1/roster/graduates?page=1"
        self.sheet_qr = loadprep.sheet_qr_path()
        self.api_signing = f"/api/v1/signings?{SIGNING_FILTER}&page=1"

    # --- running ---------------------------------------------------------------------------------------

    def run(self, make: Callable[[int], Req | None], *, concurrency: int | None = None, seconds: float | None = None,
            requests: int | None = None, warmup: Callable[[int], Req | None] | None = None,
            warmup_seconds: float | None = None) -> Stats:
        o = self.o
        stats = asyncio.run(loadgen.run_line(
            self.base, make, concurrency=concurrency or o["concurrency"], seconds=seconds or o["seconds"],
            max_requests=requests or o["requests"], warmup=warmup,
            warmup_seconds=o["warmup"] if warmup_seconds is None else warmup_seconds))
        for sample in stats.samples:
            self.stderr.write("  错误：" + sample)
        return stats

    def emit(self, name: str, value: float, unit: str, baseline: float, errors: int) -> None:
        self.stdout.write(loadgen.json_line(name=name, value=value, unit=unit, baseline=baseline, scale=self.scale,
                                            errors=errors))
        self.stdout.flush()

    def read(self, name: str, path: str | Callable[[int], str], account: Account | None) -> Stats:
        paths = path if callable(path) else (lambda k: path)
        stats = self.run(lambda k: Req(paths(k), account, kind=name))
        self.stderr.write(f"{name}: {stats.summary()}")
        return stats

    def paired(self, name: str, path: str, account: Account | None, base_name: str, base_path: str,
               base_account: Account | None) -> tuple[Stats, Stats]:
        """A line and its baseline measured in alternating slices (--rounds of each), so that whatever else
        the machine does during the run (autovacuum, a checkpoint, another process) weighs on both alike."""
        o = self.o
        rounds = max(1, o["rounds"])
        slice_s, budget = o["seconds"] / rounds, max(1, o["requests"] // rounds)
        line, base = Stats(), Stats()
        for r in range(rounds):
            warm = o["warmup"] if r == 0 else min(o["warmup"], 0.2)
            for total, kind, p, acct in ((base, base_name, base_path, base_account), (line, name, path, account)):
                part = self.run(lambda k, kind=kind, p=p, acct=acct: Req(p, acct, kind=kind), seconds=slice_s,
                                requests=budget, warmup_seconds=warm)
                total.latencies_ms += part.latencies_ms
                total.errors += part.errors
                total.seconds += part.seconds
                total.samples += part.samples
        self.stderr.write(f"{name}: {line.summary()}")
        self.stderr.write(f"  （交替测得的基线 {base_name}: {base.summary()}）")
        return line, base

    def lines(self) -> None:
        c = self.o["concurrency"]
        r = self.o["rounds"]
        const, anon = self.paired("auth_const", CONST, self.dept, "anon_const", CONST, None)
        self.emit("auth_const", const.rps, f"req/s (constant view, department session, {c} clients; baseline = "
                  f"no session, in {r} alternating slices)", anon.rps, const.errors + anon.errors)
        floor = self.floor = const.rps
        lookup, anon = self.paired("public_lookup_rps", self.sheet_qr, None, "anon_const", CONST, None)
        self.emit("public_lookup_rps", lookup.rps, f"req/s (档案登记信息表 by its QR address, no session, {c} clients; "
                  f"baseline = anon_const req/s, in {r} alternating slices)", anon.rps, lookup.errors + anon.errors)
        base_unit = f"req/s ({c} clients; baseline = auth_const req/s, in {r} alternating slices)"

        def line(name: str, path: str, account: Account, unit: str = base_unit) -> Stats:
            stats, base = self.paired(name, path, account, "auth_const", CONST, self.dept)
            self.emit(name, stats.rps, unit, base.rps, stats.errors + base.errors)
            return stats

        def deep(name: str, page1: str, path: str, account: Account, unit: str) -> None:
            stats, base = self.paired(name, path, account, name.removesuffix("_deep") + "_page1", page1, account)
            self.emit(name, stats.rps, unit, base.rps, stats.errors + base.errors)

        deep_unit = f"req/s (page 50; baseline = page 1 req/s, {c} clients, in {r} alternating slices)"
        line("roster_list_rps", f"{self.roster}?page=1", self.dept)
        deep("roster_list_rps_deep", f"{self.roster}?page=1", f"{self.roster}?page=50", self.dept, deep_unit)
        line("signing_list_rps", self.signing_page + "1", self.dept,
             f"req/s ({SIGNING_FILTER}, page 1, {c} clients; baseline = auth_const req/s, in {r} alternating slices)")
        shown = self.deep_filter.replace("status=&", "").replace("status=", "") or "all"
        deep("signing_list_rps_deep", self.signing_deep + "1", self.signing_deep + "50", self.dept,
             f"req/s (page 50 of the department's {shown} signings; baseline = its page 1 req/s, {c} clients, "
             f"in {r} alternating slices)")
        line("termination_list_rps", f"{self.terminations}?page=1", self.dept)
        deep("termination_list_rps_deep", f"{self.terminations}?page=1", f"{self.terminations}?page=50", self.dept,
             self.last_page_unit("terminations", self.n_terminations, deep_unit))
        line("destination_list_rps", self.destination_page + "1", self.dept,
             f"req/s ({DESTINATION_FILTER}, page 1, {c} clients; baseline = auth_const req/s, in {r} alternating "
             "slices)")
        deep("destination_list_rps_deep", self.destination_all + "1", self.destination_all + "50", self.dept,
             self.last_page_unit("registrations, every state", self.n_destinations, deep_unit))
        line("api_roster_rps", self.api_roster, self.dept)
        line("api_signing_rps", self.api_signing, self.dept)
        line("detail_rps", self.detail, self.dept)
        self.approve_line(floor)
        line("graduate_home_rps", reverse("roster:home"), self.graduate)
        self.mixed()

    def last_page_unit(self, what: str, count: int, deep_unit: str) -> str:
        """A deep line's unit: `deep_unit`, or what page 50 really shows when the list is shorter."""
        pages = -(-count // 20)
        if pages >= 50:
            return deep_unit
        return (f"req/s (the department has {count} {what}, {pages} pages: page 50 shows the last page; "
                f"baseline = page 1 req/s, {self.o['concurrency']} clients, in {self.o['rounds']} alternating slices)")

    # --- writes ----------------------------------------------------------------------------------------

    def approve_req(self, pk: int, kind: str = "approve") -> Req:
        return Req(reverse("signing:act", args=[pk]), self.reviewer, "POST", {"action": "approve"}, kind, REDIRECT)

    def verify(self, stats: Stats) -> int:
        """Writes the answers called done that the database does not show (each would be an error)."""
        sent = [r for r in stats.sent if r.kind in WRITES and r.expect == REDIRECT]
        approved = [int(r.path.split("/")[-3]) for r in sent if r.kind == "approve"]
        agreed = [int(r.path.split("/")[-3]) for r in sent if r.kind == "agree"]
        invited = [r.data["exam_no"] for r in sent if r.kind == "invite"]
        ok = (Signing.objects.filter(pk__in=approved, status=SigningStatus.ONLINE_WAIT_SCHOOL).count()
              + Signing.objects.filter(pk__in=agreed, status=SigningStatus.AGREED).count()
              + Signing.objects.filter(exam_no__in=invited, status=SigningStatus.INVITED,
                                       employer__credit_code=loadprep.make_credit_code(
                                           loadprep.EMPLOYER_CODE_NUMBER)).count())
        missing = len(sent) - ok
        if missing:
            self.stderr.write(f"  警告：{missing} 次写入应答成功，但数据库中没有结果")
        return max(missing, 0)

    def approve_line(self, floor: float) -> None:
        reserve = dict(MIX)["approve"] * -(-self.o["mixed_requests"] // 100)
        pool = self.plan.approve_pks[reserve:]
        self.mix_approve = self.plan.approve_pks[:reserve]
        stats = self.run(lambda k: self.approve_req(pool[k]) if k < len(pool) else None,
                         requests=min(self.o["requests"], len(pool)),
                         warmup=lambda k: Req(CONST, self.reviewer, kind="warmup"))
        errors = stats.errors + self.verify(stats)
        self.stderr.write(f"approve_rps: {stats.summary()}（数据库核对后错误 {errors}）")
        self.emit("approve_rps", stats.rps, f"req/s (department approvals POST, each of a different signing, "
                  f"{self.o['concurrency']} clients; baseline = auth_const req/s)", floor, errors)

    # --- the mix ---------------------------------------------------------------------------------------

    def mix_maker(self, kinds: list[str]) -> Callable[[int], Req | None]:
        plan = self.plan
        invitees = iter(plan.invitees)
        agreeing = iter(self.agreeing)
        approvals = iter(self.mix_approve)
        signing_pages = [self.signing_page + "1", self.signing_page + "2"]

        def make(k: int) -> Req | None:
            kind = kinds[k % len(kinds)]
            if kind == "graduate_home":
                return Req(reverse("roster:home"), self.graduate, kind=kind)
            if kind == "employer_list":
                return Req(reverse("signing:employer"), self.employer, kind=kind)
            if kind == "signing_list":
                return Req(signing_pages[(k // len(kinds)) % 2], self.dept, kind=kind)
            if kind == "roster_list":
                return Req(f"{self.roster}?page=1", self.dept, kind=kind)
            if kind == "detail":
                return Req(self.detail, self.dept, kind=kind)
            if kind == "api_signing":
                return Req(self.api_signing, self.dept, kind=kind)
            if kind == "termination_list":
                return Req(f"{self.terminations}?page=1", self.dept, kind=kind)
            if kind == "destination_list":
                return Req(self.destination_page + "1", self.dept, kind=kind)
            if kind == "approve":
                pk = next(approvals, None)
                return self.approve_req(pk) if pk is not None else None
            if kind == "agree":
                item = next(agreeing, None)
                if item is None:
                    return None
                account, pk = item
                return Req(reverse("signing:act", args=[pk]), account, "POST", {"action": "agree"}, kind, REDIRECT)
            if kind == "invite":
                who = next(invitees, None)
                if who is None:
                    return None
                name, exam_no = who
                data = {"name": name, "exam_no": exam_no, "id_number": "", **loadprep.TERMS}
                return Req(reverse("signing:invite"), self.employer, "POST", data, kind, REDIRECT)
            raise CommandError(f"未知的请求类型 {kind}")

        return make

    def mixed(self) -> None:
        reads = [k for k in schedule() if k not in WRITES]
        best, level, rates = 0.0, 0, []
        for n in (int(x) for x in self.o["levels"].split(",") if x.strip()):
            stats = self.run(self.mix_maker(reads), concurrency=n, seconds=self.o["ramp_seconds"],
                             warmup_seconds=min(self.o["warmup"], 0.5))
            rates.append(f"{n}:{stats.rps:.0f}")
            self.stderr.write(f"加压 {n} 个客户端（只读）：{stats.summary()}")
            if stats.rps > best * 1.05:
                best, level = stats.rps, n
            else:
                break  # throughput stopped rising: the level before is where the server saturates
        # each agreement needs a graduate of its own, and each login hashes a password (about half a second
        # of a core): log in only as many as the budget the ramp predicts, half as much again for safety
        budget = min(self.o["mixed_requests"], max(100, int(best * self.o["mixed_seconds"] * 1.5)))
        need = dict(MIX)["agree"] * -(-budget // 100)
        t = time.monotonic()
        accounts = asyncio.run(loadgen.login_many(self.base, [(u, self.plan.password) for u, _ in self.plan.agree[:need]],
                                                   concurrency=min(4, self.o["concurrency"])))
        self.agreeing = list(zip(accounts, [pk for _, pk in self.plan.agree]))
        self.stderr.write(f"混合场景：请求上限 {budget}，登录 {need} 名同意签约的毕业生 {time.monotonic() - t:.1f} 秒")
        stats = self.run(self.mix_maker(schedule()), concurrency=level, seconds=self.o["mixed_seconds"],
                         requests=budget,
                         warmup=self.mix_maker(reads), warmup_seconds=self.o["warmup"])
        errors = stats.errors + self.verify(stats)
        self.stderr.write(f"混合场景（{level} 个客户端）：{stats.summary()}（数据库核对后错误 {errors}）")
        for kind, ms in sorted(stats.by_kind.items()):
            self.stderr.write(f"  {kind}: {len(ms)} 次，p50 {loadgen.percentile(ms, 50):.1f} ms，"
                              f"p95 {loadgen.percentile(ms, 95):.1f} ms，错误 {stats.errors_by_kind.get(kind, 0)}")
        mix = ", ".join(f"{kind} {w}%" for kind, w in MIX)
        ramp = " ".join(rates)
        self.emit("mixed_rps", stats.rps, f"req/s ({level} clients, saturation from the read ramp {ramp}; "
                  f"mix: {mix}; baseline = auth_const req/s)", self.floor, errors)
        self.emit("mixed_p95", stats.p(95), f"ms p95 ({level} clients; baseline = p50 ms)", stats.p(50), errors)
        self.emit("mixed_p99", stats.p(99), f"ms p99 ({level} clients; baseline = p50 ms)", stats.p(50), errors)
