# The Airflow image for this project: the official Airflow 3.3 image plus exactly the pinned lock
# the tests use (requirements.lock), the project itself and the spaCy model (a package in the lock).
FROM apache/airflow:3.3.2-python3.11

COPY --chown=airflow:root requirements.lock /opt/factcheck/requirements.lock
RUN pip install --no-cache-dir -r /opt/factcheck/requirements.lock

COPY --chown=airflow:root pyproject.toml README.md /opt/factcheck/
COPY --chown=airflow:root src /opt/factcheck/src
RUN pip install --no-cache-dir --no-deps /opt/factcheck
