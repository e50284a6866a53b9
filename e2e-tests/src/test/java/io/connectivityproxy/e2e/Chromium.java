package io.connectivityproxy.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Debian's headless Chromium as a test client: the DOM a page renders to, and a screenshot of it.
 * Each call runs its own browser process with a profile directory of its own.
 */
final class Chromium {

    private Chromium() {}

    /** The DOM after Chromium loaded and rendered {@code url}, serialized as HTML. */
    static String dumpDom(Path workDir, String url) throws IOException, InterruptedException {
        return run(workDir, "--dump-dom", url);
    }

    /** Saves a PNG screenshot of {@code url} (a page of {@code width} x {@code height} CSS pixels). */
    static void screenshot(Path workDir, String url, Path png, int width, int height)
            throws IOException, InterruptedException {
        Files.createDirectories(png.getParent());
        Files.deleteIfExists(png);
        run(workDir, "--screenshot=" + png, "--window-size=" + width + "," + height, "--hide-scrollbars", url);
        if (!Files.isRegularFile(png)) {
            throw new AssertionError("chromium wrote no screenshot to " + png);
        }
    }

    private static String run(Path workDir, String... args) throws IOException, InterruptedException {
        Files.createDirectories(workDir);
        Path profile = Files.createTempDirectory(workDir, "chromium-profile-");
        Path err = Files.createTempFile(workDir, "chromium-", ".err");
        // No sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        List<String> command = new ArrayList<>(List.of(
                "chromium",
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--user-data-dir=" + profile));
        command.addAll(List.of(args));
        Process process =
                new ProcessBuilder(command).redirectError(err.toFile()).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(90, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("chromium did not finish: " + command);
        }
        if (process.exitValue() != 0) {
            throw new AssertionError("chromium exited with " + process.exitValue() + ": " + Files.readString(err));
        }
        return out;
    }
}
