"""gunicorn settings of Nezarat (`gunicorn -c deploy/gunicorn.conf.py server.wsgi:app`), used by
`make run`, the systemd unit and docker-compose. Command-line options (--bind, --workers) win."""
import os
import shutil
import tempfile

# JSON lines, device tokens redacted, with the request id (server/ops/accesslog.py): the access
# log on stdout, gunicorn's own log and the app's on stderr. No body, query, cookie or address.
accesslog = "-"
errorlog = "-"
logger_class = "server.ops.accesslog.RedactingLogger"

# Restarts finish what is in flight: SIGTERM (stop) and SIGHUP (reload: new workers first, then
# the old ones stop) let running requests finish for up to this long; the listening socket stays
# open across a SIGHUP and across a SIGUSR2 binary upgrade, so clients see no refused connection.
graceful_timeout = 30
timeout = 60
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = 4

# /metrics with several workers: each writes its counters into this folder and a scrape sums
# them (prometheus_client's multiprocess mode). Unless PROMETHEUS_MULTIPROC_DIR names one, a new
# private folder for this server (mode 700): a fixed path in /tmp could belong to another user or
# another server on the machine, whose counters we would empty or could not write. Emptied at
# each start; a reload (SIGHUP) re-reads this file and keeps the folder.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="nezarat-metrics-")
    os.environ["NEZARAT_OWN_METRICS_DIR"] = "1"  # made here: removed when the server exits
multiproc_dir = os.environ["PROMETHEUS_MULTIPROC_DIR"]


def on_starting(server):
    shutil.rmtree(multiproc_dir, ignore_errors=True)
    os.makedirs(multiproc_dir, mode=0o700, exist_ok=True)


def on_exit(server):
    if os.environ.get("NEZARAT_OWN_METRICS_DIR"):
        shutil.rmtree(multiproc_dir, ignore_errors=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess
    multiprocess.mark_process_dead(worker.pid)
