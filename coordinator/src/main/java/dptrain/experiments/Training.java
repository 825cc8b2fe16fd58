package dptrain.experiments;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One training of a study: its variant's label, its status ("completed" or "diverged") and its epoch records (each with
 * {@code step_losses}, the loss of every --log-every-th step of that epoch).
 */
public record Training(String label, String status, List<Map<String, Object>> epochs) {
    /** Whether the training ran to its end. */
    public boolean completed() {
        return "completed".equals(status);
    }

    /** Whether the training stopped on a NaN or infinite loss. */
    public boolean diverged() {
        return "diverged".equals(status);
    }

    /** The value of one record key at each epoch: pairs (epoch, value), epochs without it left out. */
    public double[][] perEpoch(String key) {
        List<double[]> out = new ArrayList<>();
        for (Map<String, Object> e : epochs) {
            if (e.get(key) instanceof Number v && e.get("epoch") instanceof Number x) {
                out.add(new double[] {x.doubleValue(), v.doubleValue()});
            }
        }
        return out.toArray(double[][]::new);
    }

    /** The logged step losses of the whole training: pairs (step, loss). */
    public double[][] stepLosses() {
        List<double[]> out = new ArrayList<>();
        for (Map<String, Object> e : epochs) {
            if (e.get("step_losses") instanceof List<?> l) {
                for (Object o : l) {
                    List<?> p = (List<?>) o;
                    out.add(new double[] {((Number) p.get(0)).doubleValue(), ((Number) p.get(1)).doubleValue()});
                }
            }
        }
        return out.toArray(double[][]::new);
    }

    /** The last epoch's value of key, NaN if none. */
    public double last(String key) {
        double[][] s = perEpoch(key);
        return s.length == 0 ? Double.NaN : s[s.length - 1][1];
    }

    /** The mean of the last n logged step losses (a smoothed final training loss). */
    public double finalLoss(int n) {
        return tailMean(stepLosses(), n);
    }

    /** The mean of the values of the last n pairs (x, value) of a series, NaN for none. */
    public static double tailMean(double[][] series, int n) {
        double sum = 0;
        int k = 0;
        for (int i = Math.max(0, series.length - n); i < series.length; i++) {
            sum += series[i][1];
            k++;
        }
        return k == 0 ? Double.NaN : sum / k;
    }
}
