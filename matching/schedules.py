BEAT_SCHEDULE = {
    "matching-cleanup": {"task": "matching.tasks.match_cleanup", "schedule": 30.0},
}
