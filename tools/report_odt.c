/* `camwatch report --format odt`: the editable copy of the document
 * (OpenDocument Text, ODF 1.3), with the PDF's structure: header block,
 * title, "Kính gửi", narrative, the tables (header rows repeated on each
 * page, rows kept whole), rules, signature and "Nơi nhận". Officials
 * correct it in LibreOffice or Word before signing.
 *
 * XML through libxml2's xmlTextWriter (escaping is the library's), the
 * package through libzip ("mimetype" first and stored, as ODF requires). */
#include <libxml/xmlwriter.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "../daemon/report_narrative.h"
#include "../daemon/report_view.h"

#define NS_OFFICE "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
#define NS_STYLE "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
#define NS_TEXT "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
#define NS_TABLE "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
#define NS_FO "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
#define NS_SVG "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
#define NS_META "urn:oasis:names:tc:opendocument:xmlns:meta:1.0"
#define NS_DC "http://purl.org/dc/elements/1.1/"
#define NS_MANIFEST "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"

#define TEXT_CM 16.5 /* A4 less 3 cm left and 1.5 cm right */

typedef xmlTextWriterPtr W;
#define X(s) BAD_CAST(s)

static void el(W w, const char *name) { xmlTextWriterStartElement(w, X(name)); }
static void end(W w) { xmlTextWriterEndElement(w); }
static void at(W w, const char *name, const char *v) { xmlTextWriterWriteAttribute(w, X(name), X(v)); }
static void txt(W w, const char *s) { xmlTextWriterWriteString(w, X(s)); }

/* Text as ODF keeps it: runs of spaces collapse to one in a paragraph
 * unless written as <text:s text:c="N"/> (the blank after "Số:" is where
 * the number is written by hand), and '\n' is a <text:line-break/>. */
static void txt_kept(W w, const char *s)
{
    while (*s) {
        size_t n = strcspn(s, " \n");
        if (n) {
            char *run = strndup(s, n);
            if (run)
                txt(w, run);
            free(run);
            s += n;
        }
        if (*s == '\n') {
            el(w, "text:line-break"), end(w);
            s++;
        } else if (*s == ' ') {
            size_t k = strspn(s, " ");
            txt(w, " ");
            if (k > 1) {
                char c[24];
                snprintf(c, sizeof c, "%zu", k - 1);
                el(w, "text:s"), at(w, "text:c", c), end(w);
            }
            s += k;
        }
    }
}

static void p(W w, const char *style, const char *text)
{
    el(w, "text:p");
    at(w, "text:style-name", style);
    txt_kept(w, text);
    end(w);
}

static void style(W w, const char *name, const char *family, const char *align, const char *weight,
                  const char *italic, const char *size, int keep_next, int indent)
{
    el(w, "style:style");
    at(w, "style:name", name);
    at(w, "style:family", family);
    if (strcmp(family, "paragraph") == 0) {
        at(w, "style:parent-style-name", "Standard");
        el(w, "style:paragraph-properties");
        if (align)
            at(w, "fo:text-align", align);
        if (keep_next)
            at(w, "fo:keep-with-next", "always");
        if (indent)
            at(w, "fo:text-indent", "1cm");
        at(w, "fo:margin-bottom", "0.12cm");
        end(w);
        el(w, "style:text-properties");
        if (weight)
            at(w, "fo:font-weight", weight);
        if (italic)
            at(w, "fo:font-style", "italic");
        if (size)
            at(w, "fo:font-size", size);
        end(w);
    }
    end(w);
}

static void cell_style(W w, const char *name, int border)
{
    el(w, "style:style");
    at(w, "style:name", name);
    at(w, "style:family", "table-cell");
    el(w, "style:table-cell-properties");
    at(w, "fo:border", border ? "0.5pt solid #000000" : "none");
    at(w, "fo:padding", "0.06cm");
    end(w);
    end(w);
}

static void table_styles(W w, const char *name, const double *shares, int n)
{
    el(w, "style:style");
    at(w, "style:name", name);
    at(w, "style:family", "table");
    el(w, "style:table-properties");
    char width[32];
    snprintf(width, sizeof width, "%.2fcm", TEXT_CM);
    at(w, "style:width", width);
    at(w, "table:align", "margins");
    if (!strcmp(name, "Signature")) /* the signature block stays whole */
        at(w, "style:may-break-between-rows", "false");
    end(w);
    end(w);
    for (int i = 0; i < n; i++) {
        char cname[40];
        snprintf(cname, sizeof cname, "%s.C%d", name, i);
        el(w, "style:style");
        at(w, "style:name", cname);
        at(w, "style:family", "table-column");
        el(w, "style:table-column-properties");
        snprintf(width, sizeof width, "%.2fcm", shares[i] * TEXT_CM);
        at(w, "style:column-width", width);
        end(w);
        end(w);
    }
}

static void table_begin(W w, const char *name, int n)
{
    el(w, "table:table");
    at(w, "table:name", name);
    at(w, "table:style-name", name);
    for (int i = 0; i < n; i++) {
        char cname[40];
        snprintf(cname, sizeof cname, "%s.C%d", name, i);
        el(w, "table:table-column");
        at(w, "table:style-name", cname);
        end(w);
    }
}

static void row(W w, const char *const *cells, int n, const char *cell_style_name, const char *para_style)
{
    el(w, "table:table-row");
    at(w, "table:style-name", "Row");
    for (int i = 0; i < n; i++) {
        el(w, "table:table-cell");
        at(w, "table:style-name", cell_style_name);
        at(w, "office:value-type", "string");
        p(w, para_style, cells[i]);
        end(w);
    }
    end(w);
}

/* A table whose header row repeats on every page. */
static void data_table(W w, const char *name, const char *const *heads, int n, char (*rows)[CW_DOC_MAX_COLS][CW_DOC_CELL],
                       int nrows)
{
    table_begin(w, name, n);
    el(w, "table:table-header-rows");
    row(w, heads, n, "Cell", "TH");
    end(w);
    for (int r = 0; r < nrows; r++) {
        const char *cp[16];
        for (int k = 0; k < n; k++)
            cp[k] = rows[r][k];
        row(w, cp, n, "Cell", "TD");
    }
    end(w);
}

static xmlBufferPtr content_xml(const struct cw_report_view *v)
{
    const struct cw_report *r = v->r;
    static const struct cw_report_doc empty;
    const struct cw_report_doc *doc = v->doc ? v->doc : &empty;
    const int vi = v->lang_vi;
    xmlBufferPtr buf = xmlBufferCreate();
    W w = xmlNewTextWriterMemory(buf, 0);
    char line[2 * CW_DOC_TEXT + 200], text[2048];
    xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL);
    el(w, "office:document-content");
    at(w, "xmlns:office", NS_OFFICE), at(w, "xmlns:style", NS_STYLE), at(w, "xmlns:text", NS_TEXT);
    at(w, "xmlns:table", NS_TABLE), at(w, "xmlns:fo", NS_FO), at(w, "xmlns:svg", NS_SVG);
    at(w, "office:version", "1.3");

    el(w, "office:automatic-styles");
    style(w, "C", "paragraph", "center", NULL, NULL, NULL, 0, 0);
    style(w, "CB", "paragraph", "center", "bold", NULL, NULL, 0, 0);
    style(w, "CI", "paragraph", "center", NULL, "i", NULL, 0, 0);
    /* the national heading: one line, 12 pt bold (Decree 30: 12-13 pt) */
    style(w, "NT", "paragraph", "center", "bold", NULL, "12pt", 0, 0);
    /* the issuing body under its parent, as large (Decree 30: 12-13 pt) */
    style(w, "IP", "paragraph", "center", NULL, NULL, "12pt", 0, 0);
    style(w, "IB", "paragraph", "center", "bold", NULL, "12pt", 0, 0);
    style(w, "Title", "paragraph", "center", "bold", NULL, "14pt", 1, 0);
    style(w, "Body", "paragraph", "justify", NULL, NULL, NULL, 0, 1);
    style(w, "H", "paragraph", "start", "bold", NULL, NULL, 1, 0);
    style(w, "Small", "paragraph", "justify", NULL, NULL, "12pt", 0, 0);
    style(w, "SmallKeep", "paragraph", "justify", NULL, NULL, "12pt", 1, 0); /* with the signature */
    /* the appendix starts a page */
    el(w, "style:style");
    at(w, "style:name", "AppendixTitle"), at(w, "style:family", "paragraph"), at(w, "style:parent-style-name", "Standard");
    el(w, "style:paragraph-properties"), at(w, "fo:break-before", "page"), at(w, "fo:text-align", "center"), end(w);
    el(w, "style:text-properties"), at(w, "fo:font-weight", "bold"), end(w);
    end(w);
    style(w, "TH", "paragraph", "center", "bold", NULL, "10pt", 0, 0);
    style(w, "TD", "paragraph", "start", NULL, NULL, "10pt", 0, 0);
    style(w, "NN", "paragraph", "start", "bold", "i", "12pt", 0, 0);
    style(w, "NNL", "paragraph", "start", NULL, NULL, "11pt", 0, 0);
    /* the first page has no number; the others do (styles.xml) */
    el(w, "style:style");
    at(w, "style:name", "First"), at(w, "style:family", "paragraph"), at(w, "style:parent-style-name", "Standard");
    at(w, "style:master-page-name", "First_20_Page");
    end(w);
    cell_style(w, "Cell", 1);
    cell_style(w, "NoBorder", 0);
    el(w, "style:style");
    at(w, "style:name", "Row"), at(w, "style:family", "table-row");
    el(w, "style:table-row-properties"), at(w, "fo:keep-together", "always"), end(w);
    end(w);
    static const double half[] = {0.40, 0.60}, sig[] = {0.45, 0.55};
    table_styles(w, "Header", half, 2);
    table_styles(w, "Groups", cw_doc_group_widths(), CW_DOC_GROUP_COLS);
    table_styles(w, "Repairs", cw_doc_repair_widths(), CW_DOC_REPAIR_COLS);
    table_styles(w, "Cameras", cw_doc_camera_widths(), CW_DOC_CAMERA_COLS);
    table_styles(w, "Signature", sig, 2);
    end(w); /* automatic-styles */

    el(w, "office:body");
    el(w, "office:text");
    p(w, "First", "");
    /* the header block: issuing body and number | national heading, motto, place and date */
    table_begin(w, "Header", 2);
    el(w, "table:table-row");
    el(w, "table:table-cell"), at(w, "table:style-name", "NoBorder"), at(w, "office:value-type", "string");
    if (doc->issuer_parent[0])
        p(w, "IP", doc->issuer_parent);
    if (doc->issuer[0])
        p(w, "IB", doc->issuer);
    snprintf(line, sizeof line, "%s %s", vi ? "Số:" : "No.:", doc->number);
    p(w, "C", line);
    end(w);
    el(w, "table:table-cell"), at(w, "table:style-name", "NoBorder"), at(w, "office:value-type", "string");
    p(w, "NT", doc->national);
    p(w, "CB", doc->motto);
    p(w, "CI", cw_doc_place_date(v, line, sizeof line));
    end(w);
    end(w); /* row */
    end(w); /* table */

    p(w, "Title", cw_doc_title(v));
    p(w, "Title", cw_doc_subject(v, line, sizeof line));
    snprintf(text, sizeof text, "(%s)", cw_doc_data_span(v, line, sizeof line));
    p(w, "C", text);
    if (doc->n_recipients == 1) {
        snprintf(text, sizeof text, "%s %s", vi ? "Kính gửi:" : "To:", doc->recipients[0]);
        p(w, "C", text);
    } else if (doc->n_recipients > 1) {
        p(w, "C", vi ? "Kính gửi:" : "To:");
        for (int i = 0; i < doc->n_recipients; i++) {
            /* ';' after each recipient, '.' after the last */
            snprintf(text, sizeof text, "- %s%s", doc->recipients[i], i + 1 < doc->n_recipients ? ";" : ".");
            p(w, "C", text);
        }
    }
    struct cw_narrative nar;
    if (cw_narrative_build(v, &nar) == 0) {
        for (int i = 0; i < nar.n; i++)
            p(w, "Body", nar.para[i]);
        cw_narrative_free(&nar);
    }
    p(w, "H", cw_doc_groups_heading(v));
    char (*rows)[CW_DOC_MAX_COLS][CW_DOC_CELL] =
        calloc((size_t)(r->n_groups > r->n_cams ? r->n_groups : r->n_cams) + 1, sizeof *rows);
    int n = 0;
    for (int i = 0; rows && i < r->n_groups; i++)
        if (cw_doc_group_in_main(v, &r->groups[i]))
            cw_doc_group_cells(v, &r->groups[i], rows[n++]);
    data_table(w, "Groups", cw_doc_group_heads(vi), CW_DOC_GROUP_COLS, rows, rows ? n : 0);

    /* the province's: a part per commune, its data's completeness in its
     * heading, its sites under it */
    static const char *const roman[] = {"", "I", "II", "III", "IV"};
    int sec = 2;
    if (cw_doc_has_commune_parts(v)) {
        p(w, "H", cw_doc_commune_parts_heading(v));
        const struct cw_report_group **sites = calloc((size_t)r->n_groups + 1, sizeof *sites);
        for (int k = 0; rows && sites && k < r->n_communes; k++) {
            p(w, "H", cw_doc_commune_heading(v, k, text, sizeof text));
            int ns = cw_doc_commune_sites(v, k, sites, r->n_groups);
            for (int i = 0; i < ns; i++)
                cw_doc_group_cells(v, sites[i], rows[i]);
            if (ns == 0)
                p(w, "Body", vi ? "Không có số liệu trong kỳ." : "No data in the period.");
            else
                data_table(w, "Groups", cw_doc_group_heads(vi), CW_DOC_GROUP_COLS, rows, ns);
        }
        free(sites);
        sec++;
    }

    snprintf(text, sizeof text, "%s. %s", roman[sec++], vi ? "Danh sách camera cần sửa chữa" : "Cameras to repair");
    p(w, "H", text);
    int n_rep;
    const struct cw_report_camera **rl = cw_doc_repairs(r, &n_rep);
    for (int i = 0; rows && rl && i < n_rep; i++)
        cw_doc_repair_cells(v, rl[i], rows[i]);
    if (n_rep == 0)
        p(w, "Body", vi ? "Không có camera nào cần sửa chữa." : "No camera needs repair.");
    else
        data_table(w, "Repairs", cw_doc_repair_heads(vi), CW_DOC_REPAIR_COLS, rows, rows ? n_rep : 0);
    free(rl);

    snprintf(text, sizeof text, "%s. %s", roman[sec], vi ? "Quy tắc đánh giá" : "Rules");
    p(w, "H", text);
    p(w, "SmallKeep", cw_doc_rules(v, text, sizeof text));

    /* signature | Nơi nhận */
    table_begin(w, "Signature", 2);
    el(w, "table:table-row");
    el(w, "table:table-cell"), at(w, "table:style-name", "NoBorder"), at(w, "office:value-type", "string");
    p(w, "NN", vi ? "Nơi nhận:" : "Recipients:");
    for (int i = 0; i < doc->n_copies_to; i++)
        p(w, "NNL", cw_doc_copy_line(doc, i, line, sizeof line));
    end(w);
    el(w, "table:table-cell"), at(w, "table:style-name", "NoBorder"), at(w, "office:value-type", "string");
    if (doc->signer_prefix[0]) {
        snprintf(line, sizeof line, "%s %s", doc->signer_prefix, doc->signer_authority);
        p(w, "CB", line);
    }
    p(w, "CB", doc->signer_title);
    for (int i = 0; i < 4; i++)
        p(w, "C", ""); /* room for the signature and seal */
    p(w, "CB", doc->signer_name);
    end(w);
    end(w); /* row */
    end(w); /* table */

    /* Appendix: every camera, name first, from a page of its own */
    p(w, "AppendixTitle", vi ? "PHỤ LỤC" : "APPENDIX");
    p(w, "CB", vi ? "SỐ LIỆU THEO CAMERA" : "FIGURES PER CAMERA");
    snprintf(text, sizeof text, "(%s %s)", vi ? "Kèm theo" : "Attached to", cw_doc_subject(v, line, sizeof line));
    p(w, "CI", text);
    n = 0;
    for (int i = 0; rows && i < r->n_cams; i++)
        if (r->cams[i].has_data)
            cw_doc_camera_cells(v, &r->cams[i], rows[n++]);
    data_table(w, "Cameras", cw_doc_camera_heads(vi), CW_DOC_CAMERA_COLS, rows, rows ? n : 0);
    free(rows);

    end(w); /* office:text */
    end(w); /* office:body */
    end(w); /* document-content */
    xmlTextWriterEndDocument(w);
    xmlFreeTextWriter(w);
    return buf;
}

static xmlBufferPtr styles_xml(void)
{
    xmlBufferPtr buf = xmlBufferCreate();
    W w = xmlNewTextWriterMemory(buf, 0);
    xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL);
    el(w, "office:document-styles");
    at(w, "xmlns:office", NS_OFFICE), at(w, "xmlns:style", NS_STYLE), at(w, "xmlns:text", NS_TEXT);
    at(w, "xmlns:fo", NS_FO), at(w, "xmlns:svg", NS_SVG), at(w, "office:version", "1.3");
    el(w, "office:font-face-decls");
    el(w, "style:font-face");
    at(w, "style:name", "Liberation Serif"), at(w, "svg:font-family", "'Liberation Serif'");
    at(w, "style:font-family-generic", "roman"), at(w, "style:font-pitch", "variable");
    end(w), end(w);
    el(w, "office:styles");
    el(w, "style:default-style"), at(w, "style:family", "paragraph");
    el(w, "style:text-properties");
    at(w, "style:font-name", "Liberation Serif"), at(w, "fo:font-size", "13pt"), at(w, "fo:language", "vi");
    at(w, "fo:country", "VN");
    end(w), end(w);
    el(w, "style:style"), at(w, "style:name", "Standard"), at(w, "style:family", "paragraph"), end(w);
    end(w); /* office:styles */
    el(w, "office:automatic-styles");
    el(w, "style:page-layout"), at(w, "style:name", "A4");
    el(w, "style:page-layout-properties");
    at(w, "fo:page-width", "21cm"), at(w, "fo:page-height", "29.7cm"), at(w, "style:print-orientation", "portrait");
    at(w, "fo:margin-top", "1cm"), at(w, "fo:margin-bottom", "2cm"), at(w, "fo:margin-left", "3cm");
    at(w, "fo:margin-right", "1.5cm");
    end(w);
    el(w, "style:header-style"), el(w, "style:header-footer-properties");
    at(w, "fo:min-height", "1cm"), at(w, "fo:margin-bottom", "0cm"), end(w), end(w);
    end(w); /* page-layout */
    el(w, "style:style"), at(w, "style:name", "PageNo"), at(w, "style:family", "paragraph");
    el(w, "style:paragraph-properties"), at(w, "fo:text-align", "center"), end(w), end(w);
    end(w); /* automatic-styles */
    el(w, "office:master-styles");
    /* page numbers from page 2, centred at the top */
    el(w, "style:master-page"), at(w, "style:name", "Standard"), at(w, "style:page-layout-name", "A4");
    el(w, "style:header"), el(w, "text:p"), at(w, "text:style-name", "PageNo");
    el(w, "text:page-number"), at(w, "text:select-page", "current"), end(w);
    end(w), end(w), end(w);
    el(w, "style:master-page"), at(w, "style:name", "First_20_Page"), at(w, "style:display-name", "First Page");
    at(w, "style:page-layout-name", "A4"), at(w, "style:next-style-name", "Standard");
    end(w);
    end(w); /* master-styles */
    end(w);
    xmlTextWriterEndDocument(w);
    xmlFreeTextWriter(w);
    return buf;
}

static xmlBufferPtr meta_of(const char *title, int lang_vi)
{
    xmlBufferPtr buf = xmlBufferCreate();
    W w = xmlNewTextWriterMemory(buf, 0);
    xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL);
    el(w, "office:document-meta");
    at(w, "xmlns:office", NS_OFFICE), at(w, "xmlns:meta", NS_META), at(w, "xmlns:dc", NS_DC);
    at(w, "office:version", "1.3");
    el(w, "office:meta");
    el(w, "dc:title"), txt(w, title), end(w);
    el(w, "meta:generator"), txt(w, "camwatch " CW_VERSION), end(w);
    el(w, "dc:language"), txt(w, lang_vi ? "vi-VN" : "en"), end(w);
    end(w), end(w);
    xmlTextWriterEndDocument(w);
    xmlFreeTextWriter(w);
    return buf;
}

static xmlBufferPtr meta_xml(const struct cw_report_view *v)
{
    char title[2 * CW_DOC_TEXT + 200];
    return meta_of(cw_doc_subject(v, title, sizeof title), v->lang_vi);
}

static xmlBufferPtr manifest_xml(void)
{
    static const char *const files[][2] = {{"/", "application/vnd.oasis.opendocument.text"},
                                           {"content.xml", "text/xml"},
                                           {"styles.xml", "text/xml"},
                                           {"meta.xml", "text/xml"}};
    xmlBufferPtr buf = xmlBufferCreate();
    W w = xmlNewTextWriterMemory(buf, 0);
    xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL);
    el(w, "manifest:manifest");
    at(w, "xmlns:manifest", NS_MANIFEST), at(w, "manifest:version", "1.3");
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        el(w, "manifest:file-entry");
        at(w, "manifest:full-path", files[i][0]), at(w, "manifest:media-type", files[i][1]);
        if (i == 0)
            at(w, "manifest:version", "1.3");
        end(w);
    }
    end(w);
    xmlTextWriterEndDocument(w);
    xmlFreeTextWriter(w);
    return buf;
}

/* Adds a copy of len bytes as name; 0 or -1. */
static int add(zip_t *z, const char *name, const void *data, size_t len, int store)
{
    void *copy = malloc(len ? len : 1);
    if (!copy)
        return -1;
    memcpy(copy, data, len);
    zip_source_t *src = zip_source_buffer(z, copy, len, 1);
    if (!src) {
        free(copy);
        return -1;
    }
    zip_int64_t idx = zip_file_add(z, name, src, ZIP_FL_ENC_UTF_8);
    if (idx < 0) {
        zip_source_free(src);
        return -1;
    }
    return store ? zip_set_file_compression(z, (zip_uint64_t)idx, ZIP_CM_STORE, 0) : 0;
}

/* The package: "mimetype" first and stored, then the four parts (freed
 * here); the whole archive written to f. 0 or -1. */
static int package(FILE *f, xmlBufferPtr parts[4])
{
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t *mem = zip_source_buffer_create(NULL, 0, 0, &err);
    zip_t *z = mem ? zip_open_from_source(mem, ZIP_TRUNCATE, &err) : NULL;
    if (!z) {
        for (int i = 0; i < 4; i++)
            if (parts[i])
                xmlBufferFree(parts[i]);
        zip_source_free(mem);
        zip_error_fini(&err);
        return -1;
    }
    zip_source_keep(mem); /* read back after zip_close */
    static const char mimetype[] = "application/vnd.oasis.opendocument.text";
    static const char *const names[] = {"content.xml", "styles.xml", "meta.xml", "META-INF/manifest.xml"};
    int rc = add(z, "mimetype", mimetype, sizeof mimetype - 1, 1);
    for (int i = 0; i < 4; i++) {
        if (rc == 0 && parts[i])
            rc = add(z, names[i], xmlBufferContent(parts[i]), (size_t)xmlBufferLength(parts[i]), 0);
        else
            rc = -1;
        if (parts[i])
            xmlBufferFree(parts[i]);
    }
    if (rc < 0 || zip_close(z) < 0) {
        if (rc == 0)
            zip_discard(z);
        else
            zip_discard(z);
        zip_source_free(mem);
        zip_error_fini(&err);
        return -1;
    }
    /* copy the finished archive out */
    zip_stat_t st;
    if (zip_source_stat(mem, &st) < 0 || zip_source_open(mem) < 0) {
        zip_source_free(mem);
        return -1;
    }
    char block[65536];
    zip_int64_t n;
    while ((n = zip_source_read(mem, block, sizeof block)) > 0)
        if (fwrite(block, 1, (size_t)n, f) != (size_t)n)
            rc = -1;
    zip_source_close(mem);
    zip_source_free(mem);
    zip_error_fini(&err);
    return rc;
}

int cw_report_render_odt(FILE *f, const struct cw_report_view *v)
{
    xmlBufferPtr parts[4] = {content_xml(v), styles_xml(), meta_xml(v), manifest_xml()};
    return package(f, parts);
}

int cw_odt_render_table(FILE *f, const char *title, const char *intro, const char *const *heads, const double *shares,
                        int ncols, const char *const *cells, int nrows, int lang_vi)
{
    xmlBufferPtr buf = xmlBufferCreate();
    W w = xmlNewTextWriterMemory(buf, 0);
    xmlTextWriterStartDocument(w, NULL, "UTF-8", NULL);
    el(w, "office:document-content");
    at(w, "xmlns:office", NS_OFFICE), at(w, "xmlns:style", NS_STYLE), at(w, "xmlns:text", NS_TEXT);
    at(w, "xmlns:table", NS_TABLE), at(w, "xmlns:fo", NS_FO), at(w, "xmlns:svg", NS_SVG);
    at(w, "office:version", "1.3");
    el(w, "office:automatic-styles");
    style(w, "Title", "paragraph", "center", "bold", NULL, "14pt", 1, 0);
    style(w, "Body", "paragraph", "justify", NULL, NULL, NULL, 0, 1);
    style(w, "TH", "paragraph", "center", "bold", NULL, "10pt", 0, 0);
    style(w, "TD", "paragraph", "start", NULL, NULL, "10pt", 0, 0);
    cell_style(w, "Cell", 1);
    table_styles(w, "List", shares, ncols);
    end(w);
    el(w, "office:body");
    el(w, "office:text");
    p(w, "Title", title);
    if (intro && intro[0])
        p(w, "Body", intro);
    table_begin(w, "List", ncols);
    el(w, "table:table-header-rows");
    row(w, heads, ncols, "Cell", "TH");
    end(w);
    for (int r = 0; r < nrows; r++)
        row(w, cells + (size_t)r * (size_t)ncols, ncols, "Cell", "TD");
    end(w);
    end(w), end(w), end(w);
    xmlTextWriterEndDocument(w);
    xmlFreeTextWriter(w);
    xmlBufferPtr parts[4] = {buf, styles_xml(), meta_of(title, lang_vi), manifest_xml()};
    return package(f, parts);
}
