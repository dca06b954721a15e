"""The justice track's pages: the legal milestones on the case page and on a referral's page."""
