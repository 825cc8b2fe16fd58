package dptrain.util;

import java.util.Collection;

/** "Did you mean …?" for a misspelt name: the known name fewest edits away, if it is close enough. */
public final class Nearest {
    private Nearest() {}

    /** " (did you mean 'x'?)" for the known name within two edits of name, or "" when none is. */
    public static String suggestion(String name, Collection<String> known) {
        String best = null;
        int bestD = 3;
        for (String n : known) {
            int d = distance(name, n);
            if (d < bestD) {
                bestD = d;
                best = n;
            }
        }
        return best == null ? "" : " (did you mean '" + best + "'?)";
    }

    /** The Levenshtein distance between a and b. */
    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1),
                        prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
