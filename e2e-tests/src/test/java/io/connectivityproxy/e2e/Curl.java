package io.connectivityproxy.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the real curl, as a user would, and returns what it reported. */
final class Curl {

    /** Status code (0 when curl got none), body file, and curl's exit code. */
    record Result(int status, Path body, int exitCode, String stderr) {
        String text() throws IOException {
            return Files.readString(body, StandardCharsets.UTF_8);
        }
    }

    private Curl() {}

    static Result run(Path workDir, String... args) throws IOException, InterruptedException {
        Files.createDirectories(workDir);
        Path body = Files.createTempFile(workDir, "curl-", ".out");
        Path err = Files.createTempFile(workDir, "curl-", ".err");
        List<String> command = new ArrayList<>(
                List.of("curl", "-sS", "-o", body.toString(), "-w", "%{http_code}", "--max-time", "120"));
        command.addAll(List.of(args));
        Process process =
                new ProcessBuilder(command).redirectError(err.toFile()).start();
        String status = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (!process.waitFor(150, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("curl did not finish: " + command);
        }
        return new Result(
                status.isEmpty() ? 0 : Integer.parseInt(status), body, process.exitValue(), Files.readString(err));
    }
}
