BEAT_SCHEDULE = {
    "chat-purge-unsent-attachments": {"task": "chat.tasks.purge_unsent_attachments", "schedule": 3600.0},
}
