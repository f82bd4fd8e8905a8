# RNRepro in a container: Swift on Debian 12 (bookworm), the same prerequisites as `make deps`,
# a release build, and `make reproduce` as the default command.
#   docker build -t rnrepro . && docker run --rm -v "$PWD/out:/rnrepro/data" rnrepro
FROM swift:6.3-bookworm

WORKDIR /rnrepro
COPY scripts/install-deps.sh scripts/install-deps.sh
RUN scripts/install-deps.sh && rm -rf /var/lib/apt/lists/*

COPY . .
RUN swift build -c release --product rnrepro

CMD ["make", "reproduce"]
