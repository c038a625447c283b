//! One fieldset per content type, one real checkbox per channel, each with its label,
//! purpose, legal basis and retention. A legitimate-interest (soft opt-in) content type says it
//! is already allowed for customers and offers opt-out boxes instead: never a ticked consent box.

use accord_core::config::Lang;
use yew::prelude::*;

use crate::i18n::{Key, channel, legal_basis, t};
use crate::state::{Action, Form};

#[derive(Properties, PartialEq)]
pub struct GridProps {
    pub form: UseReducerHandle<Form>,
    pub lang: Lang,
}

#[function_component]
pub fn Grid(props: &GridProps) -> Html {
    let lang = props.lang;
    let form = &props.form;
    let months = form.config.config.retention.prospect_months;
    form.config
        .config
        .content_types
        .iter()
        .map(|ct| {
            let desc_id = format!("accord-desc-{}", ct.id);
            let soft = ct.legal_basis == accord_core::config::LegalBasis::LegitimateInterest;
            let soft_id = format!("accord-soft-{}", ct.id);
            let described_by = if soft { format!("{desc_id} {soft_id}") } else { desc_id.clone() };
            let boxes = ct.channels.iter().map(|ch| {
                let cell = (ct.id.as_str().to_owned(), *ch);
                let (checked, kind, text) = if soft {
                    (form.is_opted_out(&cell), "opt-out", format!("{} : {}", channel(lang, *ch), t(lang, Key::Stop)))
                } else {
                    (form.is_ticked(&cell), "consent", channel(lang, *ch).to_owned())
                };
                let id = format!("accord-{}-{}", ct.id, ch);
                let onchange = {
                    let (form, cell) = (form.dispatcher(), cell.clone());
                    Callback::from(move |_: Event| form.dispatch(Action::Toggle(cell.clone())))
                };
                html! {
                    <label class="accord-check" for={id.clone()}>
                        <input type="checkbox" id={id} data-content-type={ct.id.to_string()} data-channel={ch.as_str()} data-kind={kind}
                            checked={checked} onchange={onchange} aria-describedby={described_by.clone()} />
                        <span>{ text }</span>
                    </label>
                }
            });
            html! {
                <fieldset class="accord-ct" key={ct.id.to_string()}>
                    <legend>{ ct.label.get(lang) }</legend>
                    <p class="accord-desc" id={desc_id.clone()}>
                        { ct.description.get(lang) }
                        <span class="accord-meta">
                            { format!(" {} : {} · {} : {months} {}", t(lang, Key::LegalBasis), legal_basis(lang, ct.legal_basis),
                                t(lang, Key::Retention), t(lang, Key::Months)) }
                        </span>
                    </p>
                    if soft {
                        <p class="accord-soft" id={soft_id.clone()}>{ t(lang, Key::SoftOptIn) }</p>
                    }
                    <div class="accord-channels">{ for boxes }</div>
                </fieldset>
            }
        })
        .collect()
}
