package io.connectivityproxy.connector;

import java.time.Clock;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.Readiness;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import io.vertx.core.Vertx;

/**
 * The connector executable's entry point. Without arguments it runs the connector until it is
 * stopped. {@code check} runs the connector doctor ({@link ConnectorCheck}) on the same file and
 * exits: 0 when every check passed, 1 when one failed, 2 when the file is invalid. In that mode
 * the management port is not opened (the running connector may hold it) and only warnings are
 * logged, so that standard output holds the check lines alone.
 */
@QuarkusMain
public class ConnectorMain implements QuarkusApplication {

    static final String CHECK = "check";

    @Inject
    Vertx vertx;

    @Inject
    ConnectorProcessSettings process;

    @Inject
    @Readiness
    Connector connector;

    public static void main(String... args) {
        if (isCheck(args)) {
            System.setProperty("quarkus.http.host-enabled", "false");
            System.setProperty("quarkus.log.level", "WARN");
        }
        Quarkus.run(ConnectorMain.class, args);
    }

    static boolean isCheck(String... args) {
        return args.length > 0 && CHECK.equals(args[0]);
    }

    @Override
    public int run(String... args) {
        if (args.length > 0 && !isCheck(args)) {
            System.err.println("unknown argument '" + args[0] + "'; run without arguments, or with 'check' to check "
                    + "the connector's file, backends and tunnel endpoint");
            return 64;
        }
        if (isCheck(args)) {
            ConnectorCheck.Report report = new ConnectorCheck(vertx, Clock.systemUTC()).run(process.config());
            report.results().forEach(result -> System.out.println(result.line()));
            boolean invalidFile =
                    report.results().stream().anyMatch(r -> !r.ok() && r.check().equals("config"));
            System.out.println(
                    report.ok()
                            ? "all " + report.results().size() + " checks passed"
                            : report.failures() + " of " + report.results().size() + " checks failed");
            System.out.flush();
            return report.ok() ? 0 : invalidFile ? 2 : 1;
        }
        Quarkus.waitForExit();
        return connector.exitCode();
    }
}
