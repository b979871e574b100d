BEAT_SCHEDULE = {
    "calls-close-expired": {"task": "calls.tasks.close_expired_calls", "schedule": 60.0},
}
