package io.connectivityproxy.e2e;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import io.vertx.core.Vertx;

/**
 * The setup every end-to-end test class shares: a Vert.x instance for its clients and backends,
 * and one {@link LocalSystem} of real processes, both closed after the class. After each test it
 * waits until every process of the system is idle again ({@link LocalSystem#awaitIdle}) and
 * fails the test naming what was left open. Register it in a static field:
 *
 * <pre>{@code @RegisterExtension static final SystemExtension e2e = new SystemExtension("http-proxy");}</pre>
 *
 * and start the system's processes in {@code @BeforeAll} with {@link #system()}.
 */
final class SystemExtension implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback {

    private final String name;
    private Vertx vertx;
    private LocalSystem system;
    private IdleState before;

    SystemExtension(String name) {
        this.name = name;
    }

    Vertx vertx() {
        return vertx;
    }

    LocalSystem system() {
        return system;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        vertx = Vertx.vertx();
        system = new LocalSystem(name);
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        before = system.idleState();
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (context.getExecutionException().isEmpty()) {
            system.awaitIdle(context.getDisplayName(), before);
            return;
        }
        // A failed test has said what went wrong; what it left open would only fail the next one too.
        try {
            system.awaitIdle(context.getDisplayName(), before);
        } catch (AssertionError leftOpen) {
            context.getExecutionException().get().addSuppressed(leftOpen);
        }
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        if (system != null) {
            system.close();
        }
        if (vertx != null) {
            vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }
}
