"""Demo data: the demo accounts and synthetic Kendari cases, for trying the application out.

Not a service and not part of the running application: the command line (`flask demo`, `flask setup`) uses
it, and it creates every record through the domain services, so demo data obeys the same rules as real
data. `accounts.py` holds the demo team, `data.py` the names, places and stories, `people.py` and
`plan.py` draw a case from them, and `cases.py` registers it and takes it through its life.
"""
