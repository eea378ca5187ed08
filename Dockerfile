# Tern in a container: build the shaded jar with Maven, run it on a JRE as a non-root user.
# Java 25 on both sides: Tern's own datagram path (recvmmsg/sendmmsg through the FFM API)
# needs Java 22+ to be built into the jar and to run.
#   docker build -t tern .
#   docker run --rm --network host tern serve --realm example.org --static-auth-secret "$SECRET"
# Host networking is the practical choice for a TURN server: it needs the whole relay port range
# (49152-65535/udp by default) and the clients' real addresses.

FROM maven:3.9-eclipse-temurin-25 AS build
WORKDIR /src
COPY pom.xml .
COPY .mvn .mvn
COPY stun-codec stun-codec
COPY turn-client turn-client
COPY turn-server turn-server
COPY load-test/pom.xml load-test/pom.xml
RUN mvn -B -ntp -DskipTests -Dspotless.check.skip=true -pl turn-server -am package \
    && cp turn-server/target/turn-server-*-all.jar /tern.jar

FROM eclipse-temurin:25-jre
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin tern
COPY --from=build /tern.jar /opt/tern/tern.jar
USER tern
# STUN/TURN, TURN over TLS, the operator HTTP port, and the relay range.
EXPOSE 3478/udp 3478/tcp 5349/tcp 9641/tcp 49152-65535/udp
# The HTTP server listens on 127.0.0.1:9641 by default, so the check runs inside the container.
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
    CMD bash -c 'exec 3<>/dev/tcp/127.0.0.1/9641 && printf "GET /healthz HTTP/1.0\r\n\r\n" >&3 && head -n 1 <&3 | grep -q " 200 "'
ENTRYPOINT ["java", "-XX:+ExitOnOutOfMemoryError", "-jar", "/opt/tern/tern.jar"]
CMD ["serve"]
