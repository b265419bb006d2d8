"""gunicorn settings for the web process (see deploy/README.md)."""

import multiprocessing
import os

bind = os.environ.get("CONSOLE_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# Threads, not an event loop: every request holds a thread while it runs, a live tail
# (server-sent events) for as long as it is open. Django refuses tails past
# CONSOLE_TAILS_PER_PROCESS in each worker, and the threads are that many plus PAGE_THREADS,
# so pages always find a free one however many tails are open (see deploy/README.md).
tails_per_process = int(os.environ.get("CONSOLE_TAILS_PER_PROCESS", 20))
threads = int(os.environ.get("WEB_THREADS", tails_per_process + int(os.environ.get("PAGE_THREADS", 8))))
worker_class = "gthread"
if threads <= tails_per_process:
    raise SystemExit(f"WEB_THREADS ({threads}) must exceed CONSOLE_TAILS_PER_PROCESS ({tails_per_process}): "
                     "live tails would leave no thread for pages")
timeout = 60
graceful_timeout = 30
accesslog = "-"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%({console_request_line}e)s" %(s)s %(b)s "%(f)s" "%(a)s"'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def child_exit(server, worker):
    # Metrics of a finished worker process stay summed but stop counting as live gauges.
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker):
    # Everything imported at start-up lives as long as the worker: keep it out of the
    # collector's generations (a full collection otherwise costs several ms per page).
    import gc

    gc.collect()
    gc.freeze()
