# Tern in a container: build the shaded jar with Maven, run it on a JRE as a non-root user.
#   docker build -t tern .
#   docker run --rm --network host tern serve --realm example.org --static-auth-secret "$SECRET"
# Host networking is the practical choice for a TURN server: it needs the whole relay port range
# (49152-65535/udp by default) and the clients' real addresses.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
COPY .mvn .mvn
COPY stun-codec stun-codec
COPY turn-client turn-client
COPY turn-server turn-server
COPY load-test/pom.xml load-test/pom.xml
RUN mvn -B -ntp -DskipTests -Dspotless.check.skip=true -pl turn-server -am package \
    && cp turn-server/target/turn-server-*-all.jar /tern.jar

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --no-create-home --shell /usr/sbin/nologin tern
COPY --from=build /tern.jar /opt/tern/tern.jar
USER tern
EXPOSE 3478/udp 3478/tcp 49152-65535/udp
ENTRYPOINT ["java", "-XX:+ExitOnOutOfMemoryError", "-jar", "/opt/tern/tern.jar"]
CMD ["serve"]
