// Apache Tika text extraction, timed inside one long-running JVM (its start and warm-up excluded).
//
// Run: java -cp "<tika lib dir>/*" TikaBench.java   (Java 11+ source launcher)
// Reads commands on stdin, one per line:  RUN <threads> <file with one path per line>
// For each file, in input order, it prints  FILE<TAB>microseconds<TAB>chars<TAB>status, then
// DONE<TAB>wall microseconds.
// OCR is switched off (TesseractOCRConfig.skipOcr, PDF OcrStrategy NO_OCR): text layers only.
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.*;
import java.util.concurrent.*;
import org.apache.tika.metadata.Metadata;
import org.apache.tika.parser.AutoDetectParser;
import org.apache.tika.parser.ParseContext;
import org.apache.tika.parser.Parser;
import org.apache.tika.parser.ocr.TesseractOCRConfig;
import org.apache.tika.parser.pdf.PDFParserConfig;
import org.apache.tika.sax.BodyContentHandler;

public class TikaBench {
    static final long TIMEOUT_S = 120;
    static final AutoDetectParser PARSER = new AutoDetectParser();

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, "UTF-8");
        out.println("READY");
        String line;
        while ((line = in.readLine()) != null) {
            String[] parts = line.trim().split(" ", 3);
            if (parts.length == 3 && parts[0].equals("RUN")) {
                run(Integer.parseInt(parts[1]), Files.readAllLines(Paths.get(parts[2])), out);
            } else if (line.trim().equals("QUIT")) {
                break;
            }
        }
        System.exit(0);
    }

    static void run(int threads, List<String> paths, PrintStream out) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long started = System.nanoTime();
        List<Future<String>> results = new ArrayList<>();
        for (String path : paths) {
            if (!path.isBlank()) results.add(pool.submit(() -> parse(path)));
        }
        for (int i = 0; i < results.size(); i++) {
            String row;
            try {
                row = results.get(i).get(TIMEOUT_S, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                results.get(i).cancel(true);
                row = "FILE\t" + (TIMEOUT_S * 1_000_000) + "\t0\ttimeout";
            }
            out.println(row);
        }
        long wall = (System.nanoTime() - started) / 1_000;
        pool.shutdownNow();
        out.println("DONE\t" + wall);
    }

    static String parse(String path) {
        long started = System.nanoTime();
        String status = "ok";
        long chars = 0;
        try (InputStream stream = new BufferedInputStream(Files.newInputStream(Paths.get(path)))) {
            BodyContentHandler handler = new BodyContentHandler(-1);
            ParseContext context = new ParseContext();
            TesseractOCRConfig ocr = new TesseractOCRConfig();
            ocr.setSkipOcr(true);
            context.set(TesseractOCRConfig.class, ocr);
            PDFParserConfig pdf = new PDFParserConfig();
            pdf.setOcrStrategy(PDFParserConfig.OCR_STRATEGY.NO_OCR);
            context.set(PDFParserConfig.class, pdf);
            context.set(Parser.class, PARSER);  // embedded documents (attachments) too
            PARSER.parse(stream, handler, new Metadata(), context);
            chars = handler.toString().length();
        } catch (Throwable e) {
            status = "error:" + e.getClass().getSimpleName();
        }
        long micros = (System.nanoTime() - started) / 1_000;
        return "FILE\t" + micros + "\t" + chars + "\t" + status;
    }
}
