"""gunicorn settings of Nezarat (`gunicorn -c deploy/gunicorn.conf.py server.wsgi:app`), used by
`make run`, the systemd unit and docker-compose. Command-line options (--bind, --workers) win."""
import os
import shutil
import tempfile

# The access log, with device tokens redacted (server/ops/accesslog.py). No body, no cookie.
accesslog = "-"
logger_class = "server.ops.accesslog.RedactingLogger"
access_log_format = ('{"time":"%(t)s","request_id":"%({x-request-id}i)s","method":"%(m)s",'
                     '"path":"%(U)s","status":%(s)s,"bytes":"%(b)s","ms":%(M)s}')

# Restarts finish what is in flight: SIGTERM stops accepting, lets requests run this long.
graceful_timeout = 30
timeout = 60
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = 4

# /metrics with several workers: each writes its counters into this folder and a scrape sums
# them (prometheus_client's multiprocess mode). Emptied at each start.
multiproc_dir = os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR", os.path.join(tempfile.gettempdir(), "nezarat-metrics"))


def on_starting(server):
    shutil.rmtree(multiproc_dir, ignore_errors=True)
    os.makedirs(multiproc_dir, mode=0o700, exist_ok=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess
    multiprocess.mark_process_dead(worker.pid)
