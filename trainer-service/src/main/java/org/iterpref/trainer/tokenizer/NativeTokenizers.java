package org.iterpref.trainer.tokenizer;

import ai.djl.huggingface.tokenizers.jni.LibUtils;
import ai.djl.util.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads DJL's Hugging Face tokenizers native library ({@code libtokenizers}) without network.
 *
 * <p>How DJL 0.36 loads it ({@code ai.djl.huggingface.tokenizers.jni.LibUtils}, run once per
 * class loader when that class initialises): unless {@code RUST_LIBRARY_PATH} points at a copy,
 * it looks for {@code <cache>/tokenizers/0.21.0-0.36.0-<flavor>-<os>-<arch>[/<cuda arch>]/libtokenizers.so}
 * ({@code <cache>} = {@code ENGINE_CACHE_DIR}, else {@code DJL_CACHE_DIR}, else {@code
 * ~/.djl.ai}, else {@code <tmpdir>/.djl.ai}; the CUDA-arch level, e.g. {@code 90}, only on a GPU
 * host), and when it is not there copies {@code native/lib/<os>-<arch>/<flavor>/libtokenizers.so}
 * out of the tokenizers jar, then {@code System.load}s it. The jar carries only {@code cpu}
 * builds (linux x86_64 / aarch64, macOS aarch64, Windows x86_64). The catch: on a machine with a
 * CUDA GPU the flavor would be {@code cu122}, which is not in the jar, and DJL would try to
 * download it from {@code publish.djl.ai} (seen on an H100 host with no network: the load fails).
 * In offline mode ({@code ai.djl.offline=true}) DJL always picks the {@code cpu} flavor, and
 * also skips its telemetry call, so it never touches the network.
 *
 * <p>{@link #ensureLoaded()} therefore sets the system properties {@code ai.djl.offline=true}
 * and {@code OPT_OUT_TRACKING=true} (unless already set) <em>before</em> {@code LibUtils}
 * initialises, then checks the load. Setting {@code DJL_OFFLINE} in the environment overrides
 * the property; an operator who sets it to {@code false} gets a warning.
 */
final class NativeTokenizers {

    private static final Logger LOG = LoggerFactory.getLogger(NativeTokenizers.class);

    /** DJL's switch that forbids downloads (read by {@code ai.djl.util.Utils.isOfflineMode}). */
    static final String OFFLINE_PROPERTY = "ai.djl.offline";
    /** DJL's switch that disables its telemetry call. */
    static final String OPT_OUT_TRACKING_PROPERTY = "OPT_OUT_TRACKING";

    private static volatile boolean loaded;

    private NativeTokenizers() {
    }

    /**
     * Makes DJL offline and loads the native library from the jar.
     *
     * @throws TokenizerException when the library cannot be loaded (e.g. no build for this
     *     platform in the jar, or an unwritable cache directory)
     */
    static void ensureLoaded() {
        if (loaded) {
            return;
        }
        synchronized (NativeTokenizers.class) {
            if (loaded) {
                return;
            }
            goOffline();
            try {
                LibUtils.checkStatus();
            } catch (RuntimeException | LinkageError e) {
                throw new TokenizerException(failureMessage(e), e);
            }
            loaded = true;
        }
    }

    private static String failureMessage(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String mode = Utils.isOfflineMode()
                ? "offline, from the ai.djl.huggingface:tokenizers jar"
                : "NOT offline (DJL_OFFLINE / " + OFFLINE_PROPERTY + " is false): DJL may have tried a CUDA build "
                        + "that is not in the jar and a download";
        return "Hugging Face tokenizers native library failed to load (" + mode + "; cache "
                + Utils.getEngineCacheDir("tokenizers") + "): " + error.getMessage()
                + (root == error ? "" : " (cause: " + root + ")");
    }

    private static void goOffline() {
        if (System.getProperty(OFFLINE_PROPERTY) == null) {
            System.setProperty(OFFLINE_PROPERTY, "true");
        }
        if (System.getProperty(OPT_OUT_TRACKING_PROPERTY) == null) {
            System.setProperty(OPT_OUT_TRACKING_PROPERTY, "true");
        }
        if (!Utils.isOfflineMode()) {
            LOG.warn("DJL is not in offline mode (DJL_OFFLINE or {} says false): on a CUDA machine it may try to "
                    + "download the tokenizers library", OFFLINE_PROPERTY);
        }
    }
}
