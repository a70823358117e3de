# The daily pipeline's dbt container (DbtTaskDefinition in deploy/pipeline.yaml, run on ECS Fargate): the englake
# command with the bundled dbt project, dbt-core and dbt-athena, from the same lock file as every other install
# (requirements/runtime.lock, hashes checked). Its default command is the daily build on Athena; the state machine
# overrides the command per step (models build / freshness / maintain).
#
# Build context: the repository root; deploy/lambda/dbt.Dockerfile.dockerignore (read by BuildKit beside this file)
# lets in only what is copied below. Build and push (see deploy/README.md, "The dbt image"):
#   docker build --platform linux/amd64 -f deploy/lambda/dbt.Dockerfile -t englake-dbt .

# ---- stage 1: the englake wheel (the build backend pinned in pyproject.toml's build-system)
FROM public.ecr.aws/amazonlinux/amazonlinux:2023 AS wheel
RUN dnf install -y python3.11 python3.11-pip && dnf clean all
WORKDIR /src
COPY pyproject.toml README.md ./
COPY englake/ englake/
COPY ingest/ ingest/
COPY segmentation/ segmentation/
COPY handlers/ handlers/
COPY dbt_project/ dbt_project/
# englake/dbt_project is a symlink in the repository (left out of the context): the wheel ships the project through it.
RUN ln -sfn ../dbt_project englake/dbt_project \
    && python3.11 -m pip wheel --no-cache-dir --disable-pip-version-check --no-deps -w /wheels .

# ---- stage 2: the locked dependencies, then the wheel without dependencies
FROM public.ecr.aws/amazonlinux/amazonlinux:2023
RUN dnf install -y python3.11 python3.11-pip && dnf clean all
RUN python3.11 -m venv /opt/englake
COPY requirements/runtime.lock /tmp/runtime.lock
RUN /opt/englake/bin/pip install --no-cache-dir --disable-pip-version-check --require-hashes -r /tmp/runtime.lock \
    && rm /tmp/runtime.lock
COPY --from=wheel /wheels/ /tmp/wheels/
RUN /opt/englake/bin/pip install --no-cache-dir --disable-pip-version-check --no-deps /tmp/wheels/englake-*.whl \
    && rm -rf /tmp/wheels
# dbt writes target/ and logs/ here (englake.dbt.work_dir(): the installed project folder is writable in the image).
ENV PATH=/opt/englake/bin:$PATH HOME=/tmp
WORKDIR /tmp
ENTRYPOINT ["englake"]
CMD ["models", "build", "--target", "athena"]
