package org.iterpref.trainer.model;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;

/**
 * The DJL PyTorch engine, loaded without network.
 *
 * <p>{@link #pytorch()} sets the system properties {@code ai.djl.offline=true} and
 * {@code OPT_OUT_TRACKING=true} (unless already set) <em>before</em> the engine first loads, so
 * DJL takes the native library from the {@code pytorch-native-cpu} jar on the class path and never
 * downloads one. DJL 0.36's PyTorch JNI has no bfloat16: model code works in float32 only.
 */
public final class Engines {

    /** The engine name DJL registers the PyTorch engine under. */
    public static final String PYTORCH = "PyTorch";
    static final String OFFLINE_PROPERTY = "ai.djl.offline";
    static final String OPT_OUT_TRACKING_PROPERTY = "OPT_OUT_TRACKING";

    private Engines() {
    }

    /** Makes DJL offline, then returns the PyTorch engine. */
    public static Engine pytorch() {
        goOffline();
        return Engine.getEngine(PYTORCH);
    }

    /** A new root manager on the PyTorch engine's CPU device. */
    public static NDManager newCpuManager() {
        Engine engine = pytorch();
        return engine.newBaseManager(Device.cpu());
    }

    /**
     * A new root manager on {@code device} ("cpu", "gpu" or "gpu:N"), checked against the GPUs
     * the engine sees (a clear error instead of a native failure on first use).
     */
    public static NDManager newManager(String device) {
        Engine engine = pytorch();
        Device target = Device.fromName(device == null || device.isBlank() ? "cpu" : device);
        if (target.isGpu() && target.getDeviceId() >= engine.getGpuCount()) {
            throw new IllegalStateException("device " + device + " is not available: the PyTorch engine sees "
                    + engine.getGpuCount() + " GPU(s) (CPU-only natives, or no CUDA driver)");
        }
        return engine.newBaseManager(target);
    }

    static void goOffline() {
        if (System.getProperty(OFFLINE_PROPERTY) == null) {
            System.setProperty(OFFLINE_PROPERTY, "true");
        }
        if (System.getProperty(OPT_OUT_TRACKING_PROPERTY) == null) {
            System.setProperty(OPT_OUT_TRACKING_PROPERTY, "true");
        }
    }
}
