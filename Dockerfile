# RNRepro in a container: Swift on Debian 12 (bookworm), the same prerequisites as `make deps`,
# a release build, and the quick profile end to end as the default command. Its outputs (data/,
# runs/, reports/) are links into /rnrepro/out, so one mounted folder receives them all:
#   docker build -t rnrepro .
#   docker run --rm -v "$PWD/rnrepro-out:/rnrepro/out" rnrepro
# leaves rnrepro-out/reports/quick.pdf, rnrepro-out/runs/quick/ and rnrepro-out/data/ on the
# host, and exits with the drift check's status (0 holds, 1 drift, 2 cannot compare).
FROM swift:6.3-bookworm

WORKDIR /rnrepro
COPY scripts/install-deps.sh scripts/install-deps.sh
RUN scripts/install-deps.sh && rm -rf /var/lib/apt/lists/*

COPY . .
RUN swift build -c release --product rnrepro \
    && mkdir -p out && ln -s out/data data && ln -s out/runs runs && ln -s out/reports reports

CMD ["sh", "-c", "mkdir -p out/data out/runs out/reports && exec scripts/reproduce.sh .build/release/rnrepro quick 2"]
