BEAT_SCHEDULE = {
    "verification-purge-unsubmitted-documents": {
        "task": "verification.tasks.purge_unsubmitted_documents",
        "schedule": 3600.0,
    },
}
