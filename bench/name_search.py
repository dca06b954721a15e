"""Name search by hand: the blind index against decrypting the whole scope, on DATABASE_URL.

    DATABASE_URL=... python -m bench.name_search [--repeat 5]

For a supervisor of the largest agency (scope: every case of that agency) it times `search_cases` by name
(the blind index, then decryption of the candidates) and the way it worked before (read and decrypt every
case in scope, newest first, until 50 matches), for a rare name, a common name part and a name nobody has.
Then the registration's "same child?" check (same name and birth date in scope) for that oldest case's
child: by the name-and-birth-date index, and the way it worked before it (every case holding all of the
name's tokens, an aggregate over their posting lists, then decrypted up to 2,000 candidates).
It refuses a DATABASE_URL that does not name a benchmark database; it writes only audit entries.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from datetime import date
from types import SimpleNamespace

import click
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from caseapp import create_app
from caseapp.extensions import db
from caseapp.models import Case, CaseNameToken, User
from caseapp.schemas.cases import SearchIn, SearchKind
from caseapp.services.cases import names, search_cases
from caseapp.services.cases.duplicates import find_duplicates
from caseapp.services.scoping import visible_cases

QUERIES = {"rare (full name)": "", "common part": "siti", "nobody": "zzqx"}


def _linear(actor: User, query: str, limit: int = 50) -> list[Case]:
    """The search before the index: decrypt the scope newest first until `limit` names contain the query."""
    needle = " ".join(query.lower().split())
    found: list[Case] = []
    stmt = (
        visible_cases(actor)
        .options(joinedload(Case.data_key))
        .order_by(Case.created_at.desc())
        .execution_options(yield_per=500)
    )
    for case in db.session.scalars(stmt):
        if needle in " ".join(str(case.child_name or "").lower().split()):
            found.append(case)
            if len(found) >= limit:
                break
    return found


def _same_child_before(actor: User, name: str, dob: str, sex: str) -> list[Case]:
    """The "same child?" check before the name-and-birth-date index: narrowed by the name tokens."""
    tokens = names.name_tokens(name)
    holding = (
        select(CaseNameToken.case_id)
        .where(CaseNameToken.token.in_(sorted(tokens)))
        .group_by(CaseNameToken.case_id)
        .having(func.count() == len(tokens))
    )
    stmt = (
        visible_cases(actor)
        .where(Case.child_sex == sex, Case.id.in_(holding))
        .options(joinedload(Case.data_key))
        .order_by(Case.created_at.desc())
        .limit(2000)
    )
    wanted = " ".join(name.lower().split())
    return [
        c
        for c in db.session.scalars(stmt)
        if c.child_dob == dob and " ".join(str(c.child_name).lower().split()) == wanted
    ]


def _median_ms(run: Callable[[], object], repeat: int) -> tuple[float, int]:
    times, count = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        times.append((time.perf_counter() - started) * 1000)
        count = len(result) if isinstance(result, list) else 0
        db.session.rollback()
    return statistics.median(times), count


@click.command()
@click.option("--repeat", default=5, show_default=True)
def main(repeat: int) -> None:
    """Print the median time of each name search, with the index and without."""
    if "bench" not in os.environ.get("DATABASE_URL", ""):
        raise click.UsageError("set DATABASE_URL to a benchmark database (its name must contain 'bench')")
    app = create_app()
    with app.app_context():
        agency_id = db.session.scalar(
            select(Case.owner_agency_id).group_by(Case.owner_agency_id).order_by(func.count().desc()).limit(1)
        )
        actor = db.session.scalar(
            select(User).where(User.agency_id == agency_id, User.role == "supervisor").limit(1)
        )
        if actor is None:
            raise click.UsageError("no supervisor in the largest agency: run bench.generate first")
        scope = db.session.scalar(select(func.count()).select_from(visible_cases(actor).subquery()))
        oldest = db.session.scalars(visible_cases(actor).order_by(Case.created_at).limit(1)).one()
        queries = {**QUERIES, "rare (full name)": str(oldest.child_name)}
        click.echo(f"scope: {scope} cases (agency {agency_id}); median of {repeat} runs")
        for label, query in queries.items():

            def by_index(q: str = query) -> list[Case]:
                return search_cases(actor, SearchIn(by=SearchKind.NAME, query=q)).cases

            def by_scope(q: str = query) -> list[Case]:
                return _linear(actor, q)

            index_ms, n_index = _median_ms(by_index, repeat)
            linear_ms, n_linear = _median_ms(by_scope, repeat)
            click.echo(
                f"{label:18} index {index_ms:8.1f} ms ({n_index} found) | "
                f"decrypting the scope {linear_ms:8.1f} ms ({n_linear} found)"
            )
        name, dob, sex = str(oldest.child_name), str(oldest.child_dob), oldest.child_sex
        child = SimpleNamespace(nik=None, name=name, date_of_birth=date.fromisoformat(dob), sex=sex)

        def by_identity() -> list[Case]:
            return find_duplicates(actor, SimpleNamespace(child=child)).same_child  # type: ignore[arg-type]

        def by_tokens() -> list[Case]:
            return _same_child_before(actor, name, dob, sex)

        now_ms, n_now = _median_ms(by_identity, repeat)
        before_ms, n_before = _median_ms(by_tokens, repeat)
        click.echo(
            f"{'same child?':18} index {now_ms:8.1f} ms ({n_now} found) | "
            f"name tokens' aggregate {before_ms:8.1f} ms ({n_before} found)"
        )


if __name__ == "__main__":
    main()
