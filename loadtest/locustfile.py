"""Load test: unit heads posting progress reports, leaders opening the dashboard.

Run by `make load` (scripts/load.py), which prepares the database, starts gunicorn with the
production settings and writes the accounts file this reads (LOAD_ACCOUNTS). Each unit
head account is used by one simulated user only and reports on its own tasks, so no two
users ever race for the same task version.
"""

import itertools
import json
import os
import random
import re
import time

from locust import HttpUser, between, events, task

with open(os.environ.get("LOAD_ACCOUNTS", "var/load/accounts.json")) as accounts:
    ACCOUNTS = json.load(accounts)
_heads = iter(ACCOUNTS["heads"])
_leaders = itertools.cycle(ACCOUNTS["leaders"])

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
REPORT_FORM = re.compile(
    r'action="/tasks/(\d+)/report_progress/".*?name="version" value="(\d+)"', re.S
)
TASK_LINK = re.compile(r'href="/tasks/(\d+)/"')

# Seconds a simulated person waits between two actions (LOAD_WAIT="min,max").
WAIT = [float(seconds) for seconds in os.environ.get("LOAD_WAIT", "1,3").split(",")]

# Shown in the figures: one line per kind of request, not per task id.
REPORT_NAME = "POST /tasks/[id]/report_progress/"

# The tag in the text of every report the server confirmed (302), written out at the end so
# the runner can check each one is stored.
CONFIRMED: list[str] = []


# Every request's end time, name, milliseconds and outcome, for the figures after the
# log-in rush (LOAD_SAMPLES).
SAMPLES: list[str] = []


@events.request.add_listener
def _sample(name, response_time, exception, **kwargs):
    SAMPLES.append(f"{time.time():.3f},{name},{response_time:.1f},{int(exception is None)}")


@events.quitting.add_listener
def _write_confirmed(environment, **kwargs):
    for variable, lines in (("LOAD_CONFIRMED", CONFIRMED), ("LOAD_SAMPLES", SAMPLES)):
        if os.environ.get(variable):
            with open(os.environ[variable], "w") as file:
                file.write("\n".join(lines))


class Person(HttpUser):
    abstract = True
    wait_time = between(*WAIT)

    def on_start(self):
        # gunicorn listens on loopback behind where the TLS front server would be: send what
        # that server sends (X-Forwarded-Proto); the Secure cookies are kept on this hop by
        # get() and post().
        origin = self.host.replace("http://", "https://")
        self.client.headers.update(
            {"X-Forwarded-Proto": "https", "Origin": origin, "Referer": origin + "/"}
        )
        self.log_in(self.username())

    def username(self) -> str:
        raise NotImplementedError

    def get(self, url: str, **kwargs):
        self._plain_cookies()
        return self.client.get(url, **kwargs)

    def post(self, url: str, **kwargs):
        self._plain_cookies()
        return self.client.post(url, **kwargs)

    def _plain_cookies(self) -> None:
        # The session and CSRF cookies are Secure; requests would not send them over the
        # plain-HTTP loopback hop that stands in for the TLS front server.
        for cookie in self.client.cookies:
            cookie.secure = False

    def log_in(self, username: str) -> None:
        page = self.get("/accounts/login/", name="GET /accounts/login/")
        with self.post(
            "/accounts/login/",
            data={
                "username": username,
                "password": ACCOUNTS["password"],
                "csrfmiddlewaretoken": self.csrf(page.text),
                "next": "/",
            },
            name="POST /accounts/login/",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"log-in of {username} answered {response.status_code}")

    @staticmethod
    def csrf(html: str) -> str:
        match = CSRF_INPUT.search(html)
        return match.group(1) if match else ""


class UnitHead(Person):
    """Opens the inbox and reports progress on the unit's own tasks."""

    weight = 4

    def username(self) -> str:
        account = next(_heads)  # StopIteration: more heads than accounts (seed_load --heads)
        self.own_tasks = account["tasks"]
        self.posted = 0
        self.account = account["username"]
        return self.account

    @task(2)
    def inbox(self):
        self.get("/inbox/", name="GET /inbox/")

    @task(3)
    def report_progress(self):
        pk = random.choice(self.own_tasks)
        with self.get(f"/tasks/{pk}/", name="GET /tasks/[id]/", catch_response=True) as page:
            form = REPORT_FORM.search(page.text)
            if form is None:
                page.failure("no progress report form on the task page")
                return
        self.posted += 1
        percent = min(99, 10 + self.posted)
        tag = f"{self.account}#{self.posted}"
        with self.post(
            f"/tasks/{pk}/report_progress/",
            data={
                "csrfmiddlewaretoken": self.csrf(page.text),
                "version": form.group(2),
                "text": f"[{tag}] 第{self.posted}次反馈：按计划推进，完成{percent}%。",
                "percent": percent,
            },
            name=REPORT_NAME,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 302:
                CONFIRMED.append(tag)
            else:
                response.failure(f"report answered {response.status_code}")


class Leader(Person):
    """A portfolio leader: the dashboard, the task list, a task."""

    weight = 1
    dashboard = "/dashboard/"

    def username(self) -> str:
        return next(_leaders)

    def on_start(self):
        super().on_start()
        # The dashboard is another issue's page: fall back to the home page without it.
        with self.get(
            Leader.dashboard, name=f"GET {Leader.dashboard}", catch_response=True
        ) as probe:
            if probe.status_code == 404:
                Leader.dashboard = "/"  # a leader's home: the task list
                probe.success()

    @task(3)
    def open_dashboard(self):
        self.get(self.dashboard, name=f"GET {self.dashboard}")

    @task(2)
    def task_list(self):
        page = self.get("/tasks/", name="GET /tasks/")
        self.seen = TASK_LINK.findall(page.text) or getattr(self, "seen", [])

    @task(1)
    def task_page(self):
        if getattr(self, "seen", None):
            self.get(f"/tasks/{random.choice(self.seen)}/", name="GET /tasks/[id]/")
