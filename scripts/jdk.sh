# Sourced by ./tern and ./run-tests: Tern's own datagram path (recvmmsg/sendmmsg through the FFM
# API) needs Java 22 or later to build and run. When JAVA_HOME is unset and the default java is
# older, use the newest JDK 22+ under /usr/lib/jvm (Debian's and Temurin's place), if there is one;
# otherwise Tern builds and runs on the JDK at hand with Netty's datagram path.
java_feature() {
  "$1" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p' | head -n 1
}

if [[ -z "${JAVA_HOME:-}" ]]; then
  default_java="$(command -v java || true)"
  current=0
  [[ -n "$default_java" ]] && current="$(java_feature "$default_java")"
  if (( ${current:-0} < 22 )); then
    best=0
    for jdk in /usr/lib/jvm/*/; do
      jdk="${jdk%/}"
      [[ -x "$jdk/bin/javac" ]] || continue
      feature="$(java_feature "$jdk/bin/java")"
      if (( ${feature:-0} >= 22 && ${feature:-0} > best )); then
        best="$feature"
        export JAVA_HOME="$jdk"
      fi
    done
  fi
fi

# Maven's own guava prints a sun.misc.Unsafe warning on Java 23+; this keeps builds quiet there.
if (( $(java_feature "${JAVA_HOME:+$JAVA_HOME/bin/}java") >= 23 )); then
  case " ${MAVEN_OPTS:-} " in
    *" --sun-misc-unsafe-memory-access=allow "*) ;;
    *) export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow" ;;
  esac
fi
