"""Report pages: the supervisor's dashboard and the task force's recap, with charts and exports."""
