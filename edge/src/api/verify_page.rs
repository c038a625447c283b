//! `GET /verify`: where a person or an auditor checks a receipt, their consent records or a
//! proof bundle. The checks run in the browser (`accord-verify` compiled to wasm, served with
//! the widget's files): the page reads only this service's public keys, checkpoints and tiles,
//! and nothing is uploaded.

use accord_core::config::Lang;
use maud::html;

use super::Incoming;
use crate::http::ApiResponse;
use crate::page;

pub fn get(req: &Incoming) -> ApiResponse {
    let lang = page::lang(req.accept_language.as_deref(), Lang::Fr);
    let fr = lang == Lang::Fr;
    let title = if fr { "Vérifier un reçu de consentement" } else { "Check a consent receipt" };
    let body = html! {
        h1 { (title) }
        @if fr {
            p { "Déposez le reçu signé que vous avez téléchargé après votre choix, le fichier de vos reçus (centre de préférences) ou un dossier de preuves. La vérification se fait dans votre navigateur : rien n'est envoyé, seuls les clés publiques et le registre public de ce service sont lus." }
        } @else {
            p { "Drop the signed receipt you downloaded after your choice, the file of your receipts (preference centre) or a proof bundle. The checks run in your browser: nothing is uploaded; only this service's public keys and public log are read." }
        }
        div id="form" {
            p {
                label for="file" { (if fr { "Fichier (JSON)" } else { "File (JSON)" }) }
                br;
                input id="file" type="file" accept=".json,application/json";
            }
            p {
                label for="document" { (if fr { "Ou collez son contenu" } else { "Or paste its content" }) }
                br;
                textarea id="document" rows="8" style="width:100%" spellcheck="false" {}
            }
            button id="check" type="button" { (if fr { "Vérifier" } else { "Check" }) }
        }
        p id="verdict" role="status" hidden
            data-valid=(if fr { "Authentique : chaque vérification est réussie." } else { "Authentic: every check holds." })
            data-invalid=(if fr { "Refusé : au moins une vérification échoue (voir ci-dessous)." } else { "Refused: at least one check fails (see below)." }) {}
        ol id="checks" {}
    };
    page::with_script(lang, title, body, "/widget/verify.js")
}
