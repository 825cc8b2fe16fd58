package dptrain.experiments;

import dptrain.util.AtomicFiles;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler.LegendPosition;

/**
 * The drawing a study needs: line charts, panels of small charts under one title (the book's grids of plots), and
 * grey-scale tiles (filters and feature maps). Every PNG is replaced atomically.
 */
public final class Figures {
    private static final int TITLE_BAND = 40;

    private Figures() {}

    /** An empty line chart with its title and axis labels, legend inside the plot. */
    public static XYChart chart(String title, String xTitle, String yTitle, int width, int height) {
        XYChart c = new XYChartBuilder().width(width).height(height).title(title).xAxisTitle(xTitle).yAxisTitle(yTitle)
                .build();
        c.getStyler().setLegendPosition(LegendPosition.InsideNE);
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        return c;
    }

    /** Writes one chart as a PNG. */
    public static void write(Path file, Chart<?, ?> chart) throws IOException {
        writeImage(file, BitmapEncoder.getBufferedImage(chart));
    }

    /** Writes charts as a grid of cols columns under one title (each chart keeps its own size; cells are the largest). */
    public static void writeGrid(Path file, String title, List<? extends Chart<?, ?>> charts, int cols) throws IOException {
        int cw = 0;
        int ch = 0;
        for (Chart<?, ?> c : charts) {
            cw = Math.max(cw, c.getWidth());
            ch = Math.max(ch, c.getHeight());
        }
        int rows = (charts.size() + cols - 1) / cols;
        BufferedImage img = canvas(title, cols * cw, rows * ch);
        Graphics2D g = img.createGraphics();
        for (int i = 0; i < charts.size(); i++) {
            g.drawImage(BitmapEncoder.getBufferedImage(charts.get(i)), (i % cols) * cw, TITLE_BAND + (i / cols) * ch, null);
        }
        g.dispose();
        writeImage(file, img);
    }

    /**
     * Grey-scale tiles of tileW × tileH values each (row-major), every tile scaled to its own min..max (black = min),
     * drawn scale× larger in cols columns with a label under each, under one title.
     */
    public static BufferedImage tiles(String title, List<float[]> tiles, List<String> labels, int tileW, int tileH,
                                      int cols, int scale) {
        int pad = 6;
        int labelH = 16;
        int cellW = tileW * scale + pad;
        int cellH = tileH * scale + pad + labelH;
        int rows = (tiles.size() + cols - 1) / cols;
        BufferedImage img = canvas(title, Math.max(cols * cellW + pad, 360), rows * cellH + pad);
        Graphics2D g = img.createGraphics();
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int i = 0; i < tiles.size(); i++) {
            float[] t = tiles.get(i);
            float lo = Float.POSITIVE_INFINITY;
            float hi = Float.NEGATIVE_INFINITY;
            for (float v : t) {
                lo = Math.min(lo, v);
                hi = Math.max(hi, v);
            }
            float span = hi > lo ? hi - lo : 1;
            int x0 = pad + (i % cols) * cellW;
            int y0 = TITLE_BAND + pad + (i / cols) * cellH;
            for (int y = 0; y < tileH; y++) {
                for (int x = 0; x < tileW; x++) {
                    int v = Math.round(255 * (t[y * tileW + x] - lo) / span);
                    g.setColor(new Color(v, v, v));
                    g.fillRect(x0 + x * scale, y0 + y * scale, scale, scale);
                }
            }
            g.setColor(Color.DARK_GRAY);
            g.drawRect(x0 - 1, y0 - 1, tileW * scale + 1, tileH * scale + 1);
            if (labels != null) {
                g.setColor(Color.BLACK);
                g.drawString(labels.get(i), x0, y0 + tileH * scale + labelH - 3);
            }
        }
        g.dispose();
        return img;
    }

    /** A white image of the given content size with title drawn in a band above it. */
    private static BufferedImage canvas(String title, int contentWidth, int height) {
        Font font = new Font(Font.SANS_SERIF, Font.BOLD, 18);
        Graphics2D probe = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB).createGraphics();
        int width = Math.max(contentWidth, probe.getFontMetrics(font).stringWidth(title) + 24);
        probe.dispose();
        BufferedImage img = new BufferedImage(width, height + TITLE_BAND, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(font);
        int w = g.getFontMetrics().stringWidth(title);
        g.drawString(title, Math.max(8, (width - w) / 2), 27);
        g.dispose();
        return img;
    }

    /** Writes an image as a PNG. */
    public static void writeImage(Path file, BufferedImage img) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageIO.write(img, "png", bytes);
        AtomicFiles.write(file, out -> bytes.writeTo(out));
    }
}
